package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.abi.linux.Sysno;
import dev.jvisor.sentry.fs.pipe.Pipe;
import dev.jvisor.sentry.fs.tmpfs.RegularInode;
import dev.jvisor.sentry.fs.tmpfs.Tmpfs;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.platform.Registers;
import dev.jvisor.sentry.vfs.DirInode;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.OpenFile;
import dev.jvisor.sentry.vfs.SymlinkInode;
import dev.jvisor.sentry.vfs.Vfs;

/** Implements open(2), openat(2), creat(2), close(2), close_range(2), dup(2)/dup2/dup3, fcntl(2), ioctl(2), pipe(2)/pipe2, flock(2). */
final class SysFile {
    private SysFile() {}

    static void register(Registrar r) {
        r.full(Sysno.OPEN, "sxo", (t, a) -> openat(t, FileMode.AT_FDCWD, a.arg(0), (int) a.arg(1), (int) a.arg(2)));
        r.full(Sysno.OPENAT, "fsxo", (t, a) -> openat(t, (int) a.arg(0), a.arg(1), (int) a.arg(2), (int) a.arg(3)));
        r.full(Sysno.CREAT, "so", (t, a) -> openat(t, FileMode.AT_FDCWD, a.arg(0),
                FileMode.O_CREAT | FileMode.O_WRONLY | FileMode.O_TRUNC, (int) a.arg(1)));
        r.full(Sysno.CLOSE, "f", (t, a) -> {
            t.fds().close((int) a.arg(0));
            return 0;
        });
        r.full(Sysno.CLOSE_RANGE, "ddx", SysFile::closeRange);
        r.full(Sysno.DUP, "f", (t, a) -> t.fds().install(t.fds().acquire((int) a.arg(0)), 0, false));
        r.full(Sysno.DUP2, "ff", (t, a) -> {
            int from = (int) a.arg(0), to = (int) a.arg(1);
            OpenFile f = t.fds().acquire(from);
            if (from == to) {
                f.release();
                return to;
            }
            t.fds().installAt(to, f, false);
            return to;
        });
        r.full(Sysno.DUP3, "ffx", (t, a) -> {
            int from = (int) a.arg(0), to = (int) a.arg(1), flags = (int) a.arg(2);
            if (from == to || (flags & ~FileMode.O_CLOEXEC) != 0) throw Errno.EINVAL.exception();
            t.fds().installAt(to, t.fds().acquire(from), (flags & FileMode.O_CLOEXEC) != 0);
            return to;
        });
        r.partial(Sysno.FCNTL, "fdx", "no leases, file notifications (F_NOTIFY) or seals", SysFile::fcntl);
        r.partial(Sysno.IOCTL, "fxx", "terminal, FIONREAD, FIONBIO, FIOCLEX; others ENOTTY", SysFile::ioctl);
        r.full(Sysno.PIPE, "p", (t, a) -> pipe(t, a.arg(0), 0));
        r.full(Sysno.PIPE2, "px", (t, a) -> pipe(t, a.arg(0), (int) a.arg(1)));
        r.full(Sysno.FLOCK, "fd", (t, a) -> AdvisoryLocks.flock(t, t.fds().getNotPath((int) a.arg(0)), (int) a.arg(1)));
    }


    static long openat(Task t, int dirfd, long pathAddr, int flags, int mode) {
        String path = Paths.read(t, pathAddr, false);
        Vfs vfs = t.kernel().vfs();
        if ((flags & FileMode.O_TMPFILE) == FileMode.O_TMPFILE) throw Errno.EOPNOTSUPP.exception();
        boolean follow = (flags & FileMode.O_NOFOLLOW) == 0;
        int acc = flags & FileMode.O_ACCMODE;
        if (acc == 3 && (flags & FileMode.O_PATH) == 0) throw Errno.EINVAL.exception();
        Location loc;
        boolean created = false;
        String abs;
        if ((flags & FileMode.O_CREAT) != 0 && (flags & FileMode.O_PATH) == 0) {
            Vfs.Parent p = Paths.parent(t, dirfd, path);
            DirInode dir = p.dir().dir();
            if (p.name().equals(".") || p.name().equals("..")) throw Errno.EISDIR.exception();
            Inode existing = dir.lookup(p.name());
            // O_CREAT follows a symbolic link that names nothing yet and creates what it names
            // (fs/namei.c open_last_lookups); O_EXCL and O_NOFOLLOW do not follow it.
            int links = 0;
            while (existing instanceof SymlinkInode link && follow && (flags & FileMode.O_EXCL) == 0
                    && !p.trailingSlash() && !resolves(t, p, link)) {
                if (++links > Vfs.MAX_SYMLINKS) throw Errno.ELOOP.exception();
                p = vfs.resolveParent(t.fs(), p.dir(), link.target(), t.creds());
                dir = p.dir().dir();
                if (p.name().equals(".") || p.name().equals("..")) throw Errno.EISDIR.exception();
                existing = dir.lookup(p.name());
            }
            abs = Paths.absolute(t, p.dir(), p.name());
            if (existing != null) {
                if ((flags & FileMode.O_EXCL) != 0) throw Errno.EEXIST.exception();
                // Found by following a dangling link's chain: from where the chain ended.
                loc = links == 0 ? Paths.resolve(t, dirfd, path, follow) : vfs.resolve(t.fs(), p.dir(), p.name(), follow, t.creds());
            } else {
                if (p.trailingSlash()) throw Errno.EISDIR.exception();
                if (!dir.mutable() || dir.removed()) throw Errno.ENOENT.exception(); // procfs, or a removed directory
                Vfs.checkPermission(t.creds(), dir, Vfs.MAY_WRITE | Vfs.MAY_EXEC);
                Vfs.checkWritable(p.dir());
                int gid = SysNamespace.newGid(t, dir);
                int perm = SysNamespace.newPerm(t, dir, mode & 07777 & ~t.fs().umask(), false, gid);
                Inode inode = dir.createRegular(p.name(), perm, t.creds().fsuid(), gid);
                if (inode == null) {
                    inode = new RegularInode(dir.fs(), perm, t.creds().fsuid(), gid);
                    dir.link(p.name(), inode);
                }
                loc = new Location(p.dir().mount(), inode);
                created = true;
            }
        } else {
            loc = Paths.resolve(t, dirfd, path, follow);
            abs = path.startsWith("/") ? path : Paths.absolute(t, Paths.base(t, dirfd, path), path);
        }
        Inode inode = loc.inode();
        if ((flags & FileMode.O_PATH) != 0) {
            if ((flags & FileMode.O_DIRECTORY) != 0 && !inode.isDir()) throw Errno.ENOTDIR.exception();
            return t.fds().install(new PathFile(loc, abs, flags), 0, (flags & FileMode.O_CLOEXEC) != 0);
        }
        if (inode.isSymlink()) throw Errno.ELOOP.exception();
        if ((flags & FileMode.O_DIRECTORY) != 0 && !inode.isDir()) throw Errno.ENOTDIR.exception();
        if (inode.isDir() && (acc != FileMode.O_RDONLY || (flags & FileMode.O_CREAT) != 0)) throw Errno.EISDIR.exception();
        boolean write = acc != FileMode.O_RDONLY || (flags & FileMode.O_TRUNC) != 0;
        if (!created) {
            int may = (acc != FileMode.O_WRONLY ? Vfs.MAY_READ : 0) | (write ? Vfs.MAY_WRITE : 0);
            Vfs.checkPermission(t.creds(), inode, may);
        }
        if (write && (inode.isRegular() || inode.isDir()) && loc.mount() != null) Vfs.checkWritable(loc);
        OpenFile f = inode.open(loc, abs, flags);
        try {
            // O_TRUNC truncates even with O_RDONLY (it asked for, and was checked for, write permission).
            if ((flags & FileMode.O_TRUNC) != 0 && inode.isRegular()) inode.truncate(0);
        } catch (RuntimeException e) {
            f.release();
            throw e;
        }
        return t.fds().install(f, 0, (flags & FileMode.O_CLOEXEC) != 0);
    }

    /** Whether symbolic link {@code link}, found as {@code p}'s last component, names something. */
    private static boolean resolves(Task t, Vfs.Parent p, SymlinkInode link) {
        try {
            t.kernel().vfs().resolve(t.fs(), p.dir(), link.target(), true, t.creds());
            return true;
        } catch (dev.jvisor.abi.linux.ErrnoException e) {
            if (e.errno() == Errno.ENOENT) return false;
            throw e;
        }
    }

    /** An O_PATH descriptor: a place in the tree, no I/O. */
    static final class PathFile extends OpenFile {
        PathFile(Location loc, String path, int flags) {
            // Linux keeps only these of an O_PATH open's flags (fs/open.c O_PATH_FLAGS, less the fd's O_CLOEXEC).
            super(loc, path, flags & (FileMode.O_PATH | FileMode.O_DIRECTORY | FileMode.O_NOFOLLOW));
        }

        @Override
        public int read(Task t, byte[] b, int o, int l) { throw Errno.EBADF.exception(); }

        @Override
        public int write(Task t, byte[] b, int o, int l) { throw Errno.EBADF.exception(); }
    }

    private static long closeRange(Task t, Registers a) {
        long first = a.arg(0) & 0xffffffffL, last = a.arg(1) & 0xffffffffL;
        int flags = (int) a.arg(2);
        if (first > last || (flags & ~6) != 0) throw Errno.EINVAL.exception();
        for (int fd : t.fds().fds()) {
            if (fd < first || fd > last) continue;
            if ((flags & 4) != 0) t.fds().setCloexec(fd, true); // CLOSE_RANGE_CLOEXEC
            else t.fds().close(fd);
        }
        return 0;
    }

    private static long fcntl(Task t, Registers a) {
        int fd = (int) a.arg(0), cmd = (int) a.arg(1);
        long arg = a.arg(2);
        OpenFile f = t.fds().get(fd);
        switch (cmd) {
            case FileMode.F_DUPFD, FileMode.F_DUPFD_CLOEXEC -> {
                if (arg < 0 || arg >= t.group().rlimits().soft(7)) throw Errno.EINVAL.exception();
                return t.fds().install(f.retain(), (int) arg, cmd == FileMode.F_DUPFD_CLOEXEC);
            }
            case FileMode.F_GETFD -> { return t.fds().cloexec(fd) ? FileMode.FD_CLOEXEC : 0; }
            case FileMode.F_SETFD -> {
                t.fds().setCloexec(fd, (arg & FileMode.FD_CLOEXEC) != 0);
                return 0;
            }
            case FileMode.F_GETFL -> { return f.reportedFlags(); }
            case FileMode.F_SETFL -> {
                f.setStatusFlags((int) arg);
                return 0;
            }
            case FileMode.F_GETLK, FileMode.F_SETLK, FileMode.F_SETLKW, FileMode.F_OFD_GETLK, FileMode.F_OFD_SETLK,
                 FileMode.F_OFD_SETLKW -> { return AdvisoryLocks.fcntl(t, f, cmd, arg); }
            case FileMode.F_GETOWN, FileMode.F_SETOWN -> { return 0; }
            case FileMode.F_GETPIPE_SZ -> { return 65536; }
            case FileMode.F_SETPIPE_SZ -> {
                if (arg <= 0 || arg > (1 << 20)) throw Errno.EINVAL.exception();
                return 65536;
            }
            case FileMode.F_GET_SEALS -> throw Errno.EINVAL.exception();
            default -> throw Errno.EINVAL.exception();
        }
    }

    private static long ioctl(Task t, Registers a) {
        int fd = (int) a.arg(0);
        long req = a.arg(1) & 0xffffffffL, arg = a.arg(2);
        OpenFile f = t.fds().get(fd);
        if (req == 0x5451) { // FIOCLEX
            t.fds().setCloexec(fd, true);
            return 0;
        }
        if (req == 0x5450) { // FIONCLEX
            t.fds().setCloexec(fd, false);
            return 0;
        }
        if (req == 0x5421) { // FIONBIO: a status flag of the open file, whatever its type
            int on = t.mm().readInt(arg);
            f.setStatusFlags(on != 0 ? f.flags() | FileMode.O_NONBLOCK : f.flags() & ~FileMode.O_NONBLOCK);
            return 0;
        }
        return f.ioctl(t, req, arg);
    }

    private static long pipe(Task t, long fdsAddr, int flags) {
        if ((flags & ~(FileMode.O_CLOEXEC | FileMode.O_NONBLOCK | FileMode.O_DIRECT)) != 0) throw Errno.EINVAL.exception();
        t.mm().checkAccess(fdsAddr, 8, true);
        OpenFile[] ends = Pipe.create(flags & FileMode.O_NONBLOCK, t.creds().fsuid(), t.creds().fsgid());
        boolean cloexec = (flags & FileMode.O_CLOEXEC) != 0;
        int r;
        try {
            r = t.fds().install(ends[0], 0, cloexec);
        } catch (RuntimeException e) {
            ends[1].release();
            throw e;
        }
        int w;
        try {
            w = t.fds().install(ends[1], 0, cloexec);
        } catch (RuntimeException e) {
            t.fds().close(r);
            throw e;
        }
        t.mm().writeInt(fdsAddr, r);
        t.mm().writeInt(fdsAddr + 4, w);
        return 0;
    }

    /** Used by mknod for FIFOs and by tests: makes a node of the given type in {@code dir}. */
    static Inode makeNode(Task t, DirInode dir, int mode) {
        return Tmpfs.newInode(dir.fs(), mode, t.creds().fsuid(), t.creds().fsgid(), 0);
    }
}
