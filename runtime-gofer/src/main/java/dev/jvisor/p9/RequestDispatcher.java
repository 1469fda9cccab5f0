package dev.jvisor.p9;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;

import java.util.ArrayList;
import java.util.List;

/**
 * Carries out one request against the {@link FileServer} and the connection's {@link FidTable}:
 * the 9P2000.L semantics of each message (which fids must exist, be open or be free, what a
 * partial walk returns, that Tremove clunks even when it fails), independent of threads and I/O.
 */
final class RequestDispatcher {
    private final FileServer server;
    private final FidTable fids;
    private final int msize;

    RequestDispatcher(FileServer server, FidTable fids, int msize) {
        this.server = server;
        this.fids = fids;
        this.msize = msize;
    }

    Rmessage dispatch(Tmessage request) {
        try {
            return handle(request);
        } catch (ErrnoException e) {
            return new Rmessage.Lerror(e.errno());
        } catch (RuntimeException e) {
            // A file server bug must cost one request, not the connection or the process.
            System.getLogger(RequestDispatcher.class.getName())
                    .log(System.Logger.Level.WARNING, "request " + request + " failed", e);
            return new Rmessage.Lerror(Errno.EIO);
        }
    }

    private int iounit() {
        return msize - P9Codec.IO_HEADER_SIZE;
    }

    private Rmessage handle(Tmessage request) throws ErrnoException {
        // A switch over the type, not over the request's class: see P9Codec.encode.
        return switch (P9Codec.typeOf(request)) {
            case TATTACH -> attach((Tmessage.Attach) request);
            case TWALK -> walk((Tmessage.Walk) request);
            case TWALKGETATTR -> walkGetattr((Tmessage.WalkGetattr) request);
            case TCLUNK -> {
                Tmessage.Clunk m = (Tmessage.Clunk) request;
                fids.clunk(m.fid());
                yield new Rmessage.Clunk();
            }
            case TREMOVE -> remove((Tmessage.Remove) request);
            case TLOPEN -> {
                Tmessage.Lopen m = (Tmessage.Lopen) request;
                yield withFid(m.fid(), e -> {
                    requireClosed(e, "Tlopen");
                    Qid q = e.node().open(m.flags());
                    e.markOpen();
                    return new Rmessage.Lopen(q, iounit());
                });
            }
            case TLCREATE -> {
                Tmessage.Lcreate m = (Tmessage.Lcreate) request;
                yield withFid(m.fid(), e -> {
                    requireClosed(e, "Tlcreate");
                    FileNode created = e.node().create(validName(m.name()), m.flags(), m.mode(), m.gid());
                    e.replace(created, true);
                    return new Rmessage.Lcreate(created.qid(), iounit());
                });
            }
            case TREAD -> {
                Tmessage.Read m = (Tmessage.Read) request;
                yield withFid(m.fid(), e -> {
                    requireOpen(e, "Tread");
                    int count = (int) Math.min(Integer.toUnsignedLong(m.count()), iounit());
                    byte[] data = e.node().read(m.offset(), count);
                    if (data.length > count) {
                        throw new IllegalStateException("file server returned more than asked");
                    }
                    return new Rmessage.Read(data);
                });
            }
            case TWRITE -> {
                Tmessage.Write m = (Tmessage.Write) request;
                yield withFid(m.fid(), e -> {
                    requireOpen(e, "Twrite");
                    return new Rmessage.Write(e.node().write(m.offset(), m.data()));
                });
            }
            case TGETATTR -> {
                Tmessage.Getattr m = (Tmessage.Getattr) request;
                yield withFid(m.fid(), e -> new Rmessage.Getattr(e.node().getattr(m.requestMask())));
            }
            case TSETATTR -> {
                Tmessage.Setattr m = (Tmessage.Setattr) request;
                yield withFid(m.fid(), e -> {
                    e.node().setattr(m.attr());
                    return new Rmessage.Setattr();
                });
            }
            case TREADDIR -> {
                Tmessage.Readdir m = (Tmessage.Readdir) request;
                yield withFid(m.fid(), e -> {
                    requireOpen(e, "Treaddir");
                    return new Rmessage.Readdir(fitting(e.node(), m.offset(), m.count()));
                });
            }
            case TMKDIR -> {
                Tmessage.Mkdir m = (Tmessage.Mkdir) request;
                yield withFid(m.dirFid(),
                        e -> new Rmessage.Mkdir(e.node().mkdir(validName(m.name()), m.mode(), m.gid())));
            }
            case TMKNOD -> {
                Tmessage.Mknod m = (Tmessage.Mknod) request;
                yield withFid(m.dirFid(), e -> new Rmessage.Mknod(
                        e.node().mknod(validName(m.name()), m.mode(), m.major(), m.minor(), m.gid())));
            }
            case TSYMLINK -> {
                Tmessage.Symlink m = (Tmessage.Symlink) request;
                yield withFid(m.dirFid(),
                        e -> new Rmessage.Symlink(e.node().symlink(validName(m.name()), m.target(), m.gid())));
            }
            case TLINK -> {
                Tmessage.Link m = (Tmessage.Link) request;
                yield withFid(m.dirFid(), dir -> withFid(m.fid(), target -> {
                    dir.node().link(target.node(), validName(m.name()));
                    return new Rmessage.Link();
                }));
            }
            case TREADLINK -> {
                Tmessage.Readlink m = (Tmessage.Readlink) request;
                yield withFid(m.fid(), e -> new Rmessage.Readlink(e.node().readlink()));
            }
            case TRENAMEAT -> {
                Tmessage.Renameat m = (Tmessage.Renameat) request;
                yield withFid(m.oldDirFid(), oldDir -> withFid(m.newDirFid(), newDir -> {
                    oldDir.node().renameat(validName(m.oldName()), newDir.node(), validName(m.newName()));
                    return new Rmessage.Renameat();
                }));
            }
            case TUNLINKAT -> {
                Tmessage.Unlinkat m = (Tmessage.Unlinkat) request;
                yield withFid(m.dirFid(), e -> {
                    e.node().unlinkat(validName(m.name()), m.flags());
                    return new Rmessage.Unlinkat();
                });
            }
            case TSTATFS -> {
                Tmessage.Statfs m = (Tmessage.Statfs) request;
                yield withFid(m.fid(), e -> new Rmessage.Statfs(e.node().statfs()));
            }
            case TFSYNC -> {
                Tmessage.Fsync m = (Tmessage.Fsync) request;
                yield withFid(m.fid(), e -> {
                    requireOpen(e, "Tfsync");
                    e.node().fsync(m.datasync() != 0);
                    return new Rmessage.Fsync();
                });
            }
            case TLOCK -> {
                Tmessage.Lock m = (Tmessage.Lock) request;
                yield withFid(m.fid(), e -> {
                    requireOpen(e, "Tlock");
                    return new Rmessage.Lock(e.node().lock(m.type(), m.flags(), m.start(), m.length(), m.procId(),
                            m.clientId()));
                });
            }
            case TGETLOCK -> {
                Tmessage.GetLock m = (Tmessage.GetLock) request;
                yield withFid(m.fid(), e -> {
                    requireOpen(e, "Tgetlock");
                    return e.node().getlock(m.type(), m.start(), m.length(), m.procId(), m.clientId());
                });
            }
            case TDONATEFD -> donate((Tmessage.DonateFd) request);
            case TLISTDIR -> listdir((Tmessage.Listdir) request);
            case TXATTRWALK -> xattrWalk((Tmessage.XattrWalk) request);
            case TXATTRCREATE -> {
                Tmessage.XattrCreate m = (Tmessage.XattrCreate) request;
                yield withFid(m.fid(), e -> {
                    requireClosed(e, "Txattrcreate");
                    e.replace(e.node().xattrCreate(m.name(), m.size(), m.flags()), true);
                    return new Rmessage.XattrCreate();
                });
            }
            // Tversion and Tflush concern the connection; P9Server answers them itself.
            case TVERSION -> throw new ErrnoException(Errno.EPROTO, "Tversion");
            case TFLUSH -> throw new ErrnoException(Errno.EPROTO, "Tflush");
            default -> throw new ErrnoException(Errno.EPROTO, "not a request");
        };
    }

    private Rmessage attach(Tmessage.Attach m) throws ErrnoException {
        if (m.afid() != Message.NOFID) {
            throw new ErrnoException(Errno.EINVAL, "Tattach: authentication is not supported");
        }
        if (fids.contains(m.fid())) {
            throw new ErrnoException(Errno.EBADF, "Tattach: fid in use");
        }
        FileNode root = server.attach(m.uname(), m.aname(), m.nUname());
        fids.add(m.fid(), root, false);
        return new Rmessage.Attach(root.qid());
    }

    private Rmessage walk(Tmessage.Walk m) throws ErrnoException {
        for (String name : m.names()) {
            validName(name);
        }
        return withFid(m.fid(), e -> {
            if (e.isOpen()) {
                throw new ErrnoException(Errno.EBADF, "Twalk: fid is open");
            }
            if (m.newFid() != m.fid() && fids.contains(m.newFid())) {
                throw new ErrnoException(Errno.EBADF, "Twalk: newfid in use");
            }
            if (m.names().isEmpty()) {
                bind(e, m.fid(), m.newFid(), e.node().duplicate());
                return new Rmessage.Walk(List.of());
            }
            FileNode start = e.node();
            FileNode current = start;
            List<Qid> qids = new ArrayList<>();
            try {
                for (String name : m.names()) {
                    FileNode next;
                    try {
                        next = current.walk(name);
                    } catch (ErrnoException stopped) {
                        if (qids.isEmpty()) {
                            throw stopped;
                        }
                        return new Rmessage.Walk(qids);   // partial walk: newfid stays unbound
                    }
                    if (current != start) {
                        current.close();
                    }
                    current = next;
                    qids.add(next.qid());
                }
                FileNode result = current;
                current = start;   // ownership of result moves to the fid table
                bind(e, m.fid(), m.newFid(), result);
                return new Rmessage.Walk(qids);
            } finally {
                if (current != start) {
                    current.close();
                }
            }
        });
    }

    /**
     * Twalk, then Tgetattr of the new fid when the walk reached every name. Should the getattr fail,
     * the new fid is clunked again so that the error leaves nothing bound (unless the walk reused
     * {@code fid} itself, which then names what it reached, as after a Twalk).
     */
    private Rmessage walkGetattr(Tmessage.WalkGetattr m) throws ErrnoException {
        Rmessage.Walk walked = (Rmessage.Walk) walk(new Tmessage.Walk(m.fid(), m.newFid(), m.names()));
        if (walked.qids().size() != m.names().size()) {
            return new Rmessage.WalkGetattr(walked.qids(), null, "");   // partial: nothing bound
        }
        long mask = m.requestMask() & ~Tmessage.WalkGetattr.ONLY_DIRS_AND_FILES;
        Rmessage.WalkGetattr answer;
        try {
            answer = (Rmessage.WalkGetattr) withFid(m.newFid(), e -> new Rmessage.WalkGetattr(walked.qids(),
                    m.names().isEmpty() ? e.node().getattr(mask) : e.node().getattrAfterWalk(mask),
                    linkTarget(e.node())));
        } catch (ErrnoException e) {
            if (m.newFid() != m.fid()) {
                fids.clunk(m.newFid());
            }
            throw e;
        }
        if (m.newFid() != m.fid() && !Tmessage.WalkGetattr.keepsFid(m.requestMask(), answer.attr())) {
            fids.clunk(m.newFid());   // only looked at: the client holds no fid for it
        }
        return answer;
    }

    /** A symbolic link's target for Rwalkgetattr; empty for anything else, or if it cannot be read. */
    private static String linkTarget(FileNode node) {
        if (!node.qid().isSymlink()) {
            return "";
        }
        try {
            return node.readlink();
        } catch (ErrnoException unreadable) {
            return "";   // the client asks with Treadlink and gets the error there
        }
    }

    /** Binds a walk's result to newfid, which may be the walked fid itself. */
    private void bind(FidTable.Ref walked, int fid, int newFid, FileNode node) throws ErrnoException {
        if (newFid == fid) {
            walked.replace(node, false);
        } else {
            fids.add(newFid, node, false);
        }
    }

    private Rmessage remove(Tmessage.Remove m) throws ErrnoException {
        try {
            withFid(m.fid(), e -> {
                e.node().remove();
                return null;
            });
        } finally {
            // 9P: Tremove clunks the fid whether or not the file could be removed.
            try {
                fids.clunk(m.fid());
            } catch (ErrnoException alreadyGone) {
                // The fid did not exist: the EBADF from withFid is the answer.
            }
        }
        return new Rmessage.Remove();
    }

    /** The entries of open directory {@code dir} after cookie {@code offset} that fit in {@code count} bytes. */
    private List<DirEntry> fitting(FileNode dir, long offset, int count) throws ErrnoException {
        long budget = Math.min(Integer.toUnsignedLong(count), iounit());
        // The smallest entry is FIXED_SIZE + 2 + 1 bytes, so this many entries always suffice.
        int maxEntries = (int) (budget / (DirEntry.FIXED_SIZE + 3)) + 1;
        List<DirEntry> fitting = new ArrayList<>();
        long used = 0;
        for (DirEntry d : dir.readdir(offset, maxEntries)) {
            int size = P9Codec.encodedSize(d);
            if (used + size > budget) {
                break;
            }
            used += size;
            fitting.add(d);
        }
        return fitting;
    }

    /**
     * Tlistdir: Treaddir of a directory opened for this request alone, from a duplicate of the
     * fid's node, so the fid itself stays as it was (walkable, and not open).
     */
    private Rmessage listdir(Tmessage.Listdir m) throws ErrnoException {
        return withFid(m.fid(), e -> {
            if (!e.node().qid().isDirectory()) {
                throw new ErrnoException(Errno.ENOTDIR, "Tlistdir");
            }
            FileNode dir = e.node().duplicate();
            try {
                dir.open(L_O_RDONLY);
                return new Rmessage.Listdir(fitting(dir, m.offset(), m.count()));
            } finally {
                dir.close();
            }
        });
    }

    /**
     * Tdonatefd: lends a read-only descriptor of the fid's regular file and, when asked
     * ({@link Tmessage.DonateFd#RELEASE}), clunks the fid whatever the outcome.
     */
    private Rmessage donate(Tmessage.DonateFd m) throws ErrnoException {
        if ((m.flags() & ~Tmessage.DonateFd.RELEASE) != 0) {
            throw new ErrnoException(Errno.EINVAL, "Tdonatefd: unknown flags " + Integer.toHexString(m.flags()));
        }
        try {
            return withFid(m.fid(), e -> {
                FileNode.ReadOnlyFd lent = e.node().donateReadOnly();
                return new Rmessage.DonateFd(lent.size(), lent.fd());
            });
        } finally {
            if ((m.flags() & Tmessage.DonateFd.RELEASE) != 0) {
                try {
                    fids.clunk(m.fid());
                } catch (ErrnoException alreadyGone) {
                    // No such fid: the EBADF from withFid is the answer.
                }
            }
        }
    }

    private Rmessage xattrWalk(Tmessage.XattrWalk m) throws ErrnoException {
        return withFid(m.fid(), e -> {
            if (m.newFid() != m.fid() && fids.contains(m.newFid())) {
                throw new ErrnoException(Errno.EBADF, "Txattrwalk: newfid in use");
            }
            FileNode.XattrReader reader = e.node().xattrWalk(m.name());
            if (m.newFid() == m.fid()) {
                e.replace(reader.node(), true);
            } else {
                fids.add(m.newFid(), reader.node(), true);
            }
            return new Rmessage.XattrWalk(reader.size());
        });
    }

    /** Tlopen's O_RDONLY (9P2000.L open flags are Linux's). */
    private static final int L_O_RDONLY = 0;

    /** Linux NAME_MAX, {@code <linux/limits.h>}: the longest file name. */
    static final int NAME_MAX = 255;

    /** A single path component: not empty, not "." or "..", no '/'. */
    static String validName(String name) throws ErrnoException {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0) {
            throw new ErrnoException(Errno.EINVAL, "invalid name");
        }
        if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > NAME_MAX) {
            throw new ErrnoException(Errno.ENAMETOOLONG, "name");
        }
        return name;
    }

    private static void requireOpen(FidTable.Ref e, String op) throws ErrnoException {
        if (!e.isOpen()) {
            throw new ErrnoException(Errno.EBADF, op + ": fid is not open");
        }
    }

    private static void requireClosed(FidTable.Ref e, String op) throws ErrnoException {
        if (e.isOpen()) {
            throw new ErrnoException(Errno.EBADF, op + ": fid is already open");
        }
    }

    private interface FidAction {
        Rmessage apply(FidTable.Ref entry) throws ErrnoException;
    }

    private Rmessage withFid(int fid, FidAction action) throws ErrnoException {
        FidTable.Ref e = fids.acquire(fid);
        try {
            return action.apply(e);
        } finally {
            e.release();
        }
    }
}
