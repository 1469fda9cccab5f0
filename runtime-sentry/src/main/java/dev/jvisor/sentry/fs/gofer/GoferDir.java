package dev.jvisor.sentry.fs.gofer;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.ErrnoException;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.p9.Attr;
import dev.jvisor.p9.DirEntry;
import dev.jvisor.p9.P9Codec;
import dev.jvisor.sentry.vfs.DirInode;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.Stat;
import dev.jvisor.sentry.vfs.SymlinkInode;
import dev.jvisor.sentry.vfs.Vfs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A directory on the Gofer. Lookups walk one name from the directory's kept fid; listings are
 * Treaddir. In exclusive mode the entries found (and names found missing) are remembered, so a
 * path is walked on the Gofer once, and once the directory has been listed whole a name not in
 * the listing is known missing without asking (compilers and shells probe many paths that do
 * not exist). Changes the sandbox makes here go through this object and mark their names for a
 * fresh walk. In shared mode every lookup asks again.
 */
public final class GoferDir extends DirInode {
    /** Bytes asked per Treaddir; the client caps it at the negotiated iounit. */
    private static final int READDIR_BYTES = 64 * 1024;
    /** The largest Rreaddir entry: the fixed part, the name's length and a NAME_MAX-byte name. */
    private static final int LONGEST_ENTRY = DirEntry.FIXED_SIZE + 2 + Vfs.NAME_MAX;

    private final RemoteFile remote;
    private final Map<String, Inode> known = new HashMap<>();
    private final Set<String> missing = new HashSet<>();
    /**
     * Exclusive mode: {@link #known} holds every entry, from a whole listing, so any other name is
     * missing — except the names in {@link #unsure}, changed by the sandbox since the listing.
     */
    private boolean listed;
    private final Set<String> unsure = new HashSet<>();

    private GoferDir(RemoteFile remote) {
        super(remote.gofer.fs(), 0, 0, 0);
        this.remote = remote;
    }

    static GoferDir root(GoferFs gofer, int fid) {
        return new GoferDir(RemoteFile.root(gofer, fid));
    }

    RemoteFile remote() { return remote; }

    @Override public int type() { return FileMode.S_IFDIR; }
    @Override public long ino() { return remote.attr().qid().path(); }
    @Override public int mode() { return remote.attr().mode(); }
    @Override public int uid() { return remote.attr().uid(); }
    @Override public int gid() { return remote.attr().gid(); }
    @Override public int nlink() { return (int) remote.attr().nlink(); }
    @Override public long size() { return remote.attr().size(); }
    @Override public Stat stat() { return Attributes.stat(fs.dev(), remote.attr()); }
    @Override public void chmod(int perm) { Attributes.chmod(remote, perm); }
    @Override public void chown(int uid, int gid) { Attributes.chown(remote, uid, gid); }
    @Override public void setTimes(long atime, long mtime) { Attributes.setTimes(remote, atime, mtime); }
    @Override public void touchModified() { remote.invalidate(); }
    @Override public void touchChanged() { remote.invalidate(); }

    /**
     * Whether this directory's size is known, without asking the Gofer, to be at most
     * {@code bytes}: in exclusive mode, from the attributes its lookup brought.
     */
    public boolean knownNoLargerThan(long bytes) {
        Attr a = remote.gofer.cached() ? remote.cachedAttr() : null;
        return a != null && a.size() <= bytes;
    }

    @Override
    public Inode lookup(String name) {
        boolean cache = remote.gofer.cached();
        synchronized (this) {
            if (cache) {
                Inode hit = known.get(name);
                if (hit != null) return hit;
                if (missing.contains(name)) return null;
                if (listed && !unsure.contains(name)) return null;
            }
        }
        Inode found = walk(name);
        synchronized (this) {
            unsure.remove(name);
            if (found == null) {
                if (cache) missing.add(name);
                known.remove(name);
                return null;
            }
            Inode prior = known.get(name);
            if (prior != null && sameFile(prior, found)) return prior; // keep identity: cwd and open files hold it
            known.put(name, found);
            return found;
        }
    }

    /** Walks one name; {@code null} when the Gofer has no such entry. */
    private Inode walk(String name) {
        GoferFs g = remote.gofer;
        int from;
        try {
            from = remote.keptFid();
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EXDEV) return null; // an unserved mount point: empty
            throw e;
        }
        int nf;
        Attr a;
        String target;
        try {
            // One round trip (jVisor's Twalkgetattr): a first look at a file needs both, and a
            // link's target comes with it.
            var walked = g.client().walkAndGetattr(from, RemoteFile.LOOKUP_MASK, name);
            nf = walked.fid();
            a = walked.attr();
            target = walked.target();
        } catch (dev.jvisor.abi.ErrnoException e) {
            Errno errno = GoferFs.toSentry(e);
            if (errno == Errno.ENOENT) return null;
            // Another filesystem is mounted there: shown as an empty directory (see RemoteFile).
            if (errno == Errno.EXDEV) return newInode(new RemoteFile(g, this, name), FileMode.S_IFDIR, "");
            throw errno.exception();
        }
        try {
            RemoteFile child = new RemoteFile(g, this, name);
            child.seed(a);
            int type = a.mode() & FileMode.S_IFMT;
            Inode inode = newInode(child, type, target);
            child.holdWalked(nf, type);
            return inode;
        } catch (RuntimeException e) {
            if (nf >= 0) g.release(nf);
            throw e;
        }
    }

    /** The inode for a child of {@code type}; a symbolic link's {@code target} when known, else empty. */
    private Inode newInode(RemoteFile child, int type, String target) {
        return switch (type) {
            case FileMode.S_IFDIR -> {
                GoferDir d = new GoferDir(child);
                d.attach(this, child.name());
                yield d;
            }
            case FileMode.S_IFREG -> new GoferFile(child);
            case FileMode.S_IFLNK -> GoferSymlink.of(child, target);
            default -> new GoferSpecial(child, type);
        };
    }

    private static boolean sameFile(Inode a, Inode b) {
        return a.type() == b.type() && a.ino() == b.ino();
    }

    @Override
    public List<Map.Entry<String, Inode>> list() {
        GoferFs g = remote.gofer;
        List<DirEntry> entries = readAll();
        List<Map.Entry<String, Inode>> out = new ArrayList<>(entries.size());
        synchronized (this) {
            Set<String> present = new HashSet<>();
            for (DirEntry e : entries) {
                if (e.name().equals(".") || e.name().equals("..")) continue;
                present.add(e.name());
                Inode inode = known.get(e.name());
                if (inode == null || !g.cached()) {
                    RemoteFile child = new RemoteFile(g, this, e.name());
                    Inode fresh = newInode(child, typeOf(e), "");
                    if (inode == null || !sameFile(inode, fresh)) inode = fresh;
                    known.put(e.name(), inode);
                }
                missing.remove(e.name());
                out.add(Map.entry(e.name(), inode));
            }
            known.keySet().retainAll(present);
            if (g.cached()) {
                listed = true;
                unsure.clear();
                missing.clear(); // the listing answers for every name now
            }
        }
        return out;
    }

    /** The file type a readdir entry announces, so listing costs no Tgetattr per entry. */
    private static int typeOf(DirEntry e) {
        return switch (e.type()) {
            case DirEntry.DT_DIR -> FileMode.S_IFDIR;
            case DirEntry.DT_LNK -> FileMode.S_IFLNK;
            case DirEntry.DT_FIFO -> FileMode.S_IFIFO;
            case DirEntry.DT_SOCK -> FileMode.S_IFSOCK;
            case DirEntry.DT_CHR -> FileMode.S_IFCHR;
            case DirEntry.DT_BLK -> FileMode.S_IFBLK;
            default -> e.qid().isDirectory() ? FileMode.S_IFDIR : e.qid().isSymlink() ? FileMode.S_IFLNK : FileMode.S_IFREG;
        };
    }

    /**
     * Every entry, by Tlistdir from the directory's own fid (by Treaddir of an opened clone from a
     * Gofer that does not know it), from the start. The Gofer packs each reply with as many entries as
     * fit (RequestDispatcher), so a reply with room left for the longest possible entry is the
     * last one: that saves the empty Treaddir that would otherwise end every listing.
     */
    private List<DirEntry> readAll() {
        GoferFs g = remote.gofer;
        try {
            if (g.listsUnopened()) {
                int dirFid = remote.keptFid();
                try {
                    // One Tlistdir per batch from the directory's own fid: no clone, Tlopen or Tclunk.
                    return readBatches((at, count) -> g.client().listdir(dirFid, at, count));
                } catch (ErrnoException e) {
                    if (!GoferFs.unknownToGofer(e.errno())) throw e;
                    g.noUnopenedListing();
                }
            }
            int fid = remote.walkNew();
            try {
                g.call(() -> g.client().lopen(fid, FileMode.O_RDONLY));
                return readBatches((at, count) -> g.client().readdir(fid, at, count));
            } finally {
                DeferredClunks.release(g, fid); // a directory open for reading: nothing waits for its clunk
            }
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EXDEV) return List.of(); // an unserved mount point: empty
            throw e;
        }
    }

    /** One Treaddir (or Tlistdir) of {@code count} bytes from cookie {@code at}. */
    private interface Batch {
        List<DirEntry> read(long at, int count) throws dev.jvisor.abi.ErrnoException;
    }

    /** Every entry, batch after batch, until a batch that leaves room for the longest entry. */
    private List<DirEntry> readBatches(Batch batches) {
        GoferFs g = remote.gofer;
        List<DirEntry> all = new ArrayList<>();
        int budget = Math.min(READDIR_BYTES, g.client().iounit());
        long cookie = 0;
        while (true) {
            long at = cookie;
            List<DirEntry> batch = g.call(() -> batches.read(at, READDIR_BYTES));
            if (batch.isEmpty()) return all;
            all.addAll(batch);
            cookie = batch.getLast().offset();
            if (encodedSize(batch) + LONGEST_ENTRY <= budget) return all;
        }
    }

    private static long encodedSize(List<DirEntry> batch) {
        long bytes = 0;
        for (DirEntry e : batch) bytes += P9Codec.encodedSize(e);
        return bytes;
    }

    @Override
    public boolean mutable() { return true; }

    /**
     * Creates {@code name} on the Gofer in the shape of {@code child}, which the syscall layer
     * built: a directory (Tmkdir), a symlink (Tsymlink) or another gofer inode (Tlink). Regular
     * files come through {@link #createRegular}; one built in Sentry memory (mknod) or a FIFO
     * cannot become a Gofer file here (its content would stay in memory), so it is refused.
     */
    @Override
    public void link(String name, Inode child) {
        GoferFs g = remote.gofer;
        int dirFid = remote.keptFid();
        if (child instanceof GoferFile || child instanceof GoferSymlink || child instanceof GoferSpecial) {
            if (child.fs() != fs) throw Errno.EXDEV.exception();
            RemoteFile target = remoteOf(child);
            int f = target.walkNew();
            try {
                g.call(() -> {
                    g.client().link(dirFid, f, name);
                    return null;
                });
            } finally {
                g.release(f);
                target.invalidate();
            }
        } else if (child instanceof GoferDir) {
            throw Errno.EPERM.exception(); // link(2) of a directory
        } else if (child instanceof DirInode) {
            g.call(() -> g.client().mkdir(dirFid, name, child.mode() & 07777, child.gid()));
        } else if (child instanceof SymlinkInode s) {
            g.call(() -> g.client().symlink(dirFid, name, s.target(), child.gid()));
        } else {
            throw Errno.EOPNOTSUPP.exception();
        }
        changed(name);
    }

    /** Tlcreate on a fid walked to this directory (the fid then names the new, open file; dropped here). */
    @Override
    public Inode createRegular(String name, int perm, int uid, int gid) {
        GoferFs g = remote.gofer;
        int fid = remote.walkNew();
        try {
            g.call(() -> g.client().lcreate(fid, name, FileMode.O_WRONLY | FileMode.O_CREAT | FileMode.O_EXCL, perm & 07777, gid));
        } finally {
            g.release(fid);
        }
        changed(name);
        Inode created = lookup(name);
        if (created == null) throw Errno.ENOENT.exception(); // removed by another writer at once
        return created;
    }

    @Override
    public Inode unlink(String name) {
        Inode child = lookup(name);
        if (child == null) throw Errno.ENOENT.exception();
        int flags = child.isDir() ? FileMode.AT_REMOVEDIR : 0;
        int dirFid = remote.keptFid();
        remote.gofer.call(() -> {
            remote.gofer.client().unlinkat(dirFid, name, flags);
            return null;
        });
        changed(name);
        if (child instanceof GoferDir d) d.remote.dropFid();
        return child;
    }

    /** Trenameat on the Gofer; the moved inode keeps its identity (open files and cwds hold it). */
    @Override
    protected boolean renameRemote(String from, DirInode target, String to) {
        if (!(target instanceof GoferDir dst) || dst.fs() != fs) throw Errno.EXDEV.exception();
        Inode moving = lookup(from);
        if (moving == null) throw Errno.ENOENT.exception();
        if (moving instanceof GoferDir md) {
            for (DirInode p = dst; ; p = p.parent()) {
                if (p == md) throw Errno.EINVAL.exception(); // into its own subtree
                if (p.parent() == p) break;
            }
        }
        int srcFid = remote.keptFid(), dstFid = dst.remote.keptFid();
        remote.gofer.call(() -> {
            remote.gofer.client().renameat(srcFid, from, dstFid, to);
            return null;
        });
        changed(from);
        dst.changed(to);
        RemoteFile r = remoteOfAny(moving);
        r.moved(dst, to);
        r.invalidate();
        if (moving instanceof GoferDir md) md.attach(dst, to);
        if (remote.gofer.cached()) {
            synchronized (dst) {
                dst.known.put(to, moving);
            }
        }
        return true;
    }

    private static RemoteFile remoteOfAny(Inode i) {
        return i instanceof GoferDir d ? d.remote : remoteOf(i);
    }

    /** Forgets what is known about {@code name} and this directory's own attributes. */
    private synchronized void changed(String name) {
        known.remove(name);
        missing.remove(name);
        if (listed) unsure.add(name);
        remote.invalidate();
    }

    private static RemoteFile remoteOf(Inode i) {
        if (i instanceof GoferFile f) return f.remote();
        if (i instanceof GoferSymlink s) return s.remote();
        if (i instanceof GoferSpecial s) return s.remote();
        throw Errno.EXDEV.exception();
    }
}
