package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.abi.linux.Sysno;
import dev.jvisor.sentry.fs.tmpfs.Tmpfs;
import dev.jvisor.sentry.kernel.Credentials;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.platform.Registers;
import dev.jvisor.sentry.vfs.Clock;
import dev.jvisor.sentry.vfs.DirInode;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.OpenFile;
import dev.jvisor.sentry.vfs.SymlinkInode;
import dev.jvisor.sentry.vfs.Vfs;

import java.nio.charset.StandardCharsets;

/**
 * Implements the calls that change the file tree or attributes: mkdir(2), rmdir(2), unlink(2),
 * rename(2)/renameat2, link(2), symlink(2), mknod(2), chmod(2), chown(2), utimensat(2),
 * truncate(2), fsync(2), chdir(2), getcwd(2), umask(2), chroot(2), fallocate(2).
 */
final class SysNamespace {
    private SysNamespace() {}

    private static final long UTIME_NOW = (1L << 30) - 1, UTIME_OMIT = (1L << 30) - 2;

    static void register(Registrar r) {
        r.full(Sysno.MKDIR, "so", (t, a) -> mkdir(t, FileMode.AT_FDCWD, a.arg(0), (int) a.arg(1)));
        r.full(Sysno.MKDIRAT, "fso", (t, a) -> mkdir(t, (int) a.arg(0), a.arg(1), (int) a.arg(2)));
        r.full(Sysno.RMDIR, "s", (t, a) -> remove(t, FileMode.AT_FDCWD, a.arg(0), true));
        r.full(Sysno.UNLINK, "s", (t, a) -> remove(t, FileMode.AT_FDCWD, a.arg(0), false));
        r.full(Sysno.UNLINKAT, "fsx", (t, a) -> {
            int flags = (int) a.arg(2);
            if ((flags & ~FileMode.AT_REMOVEDIR) != 0) throw Errno.EINVAL.exception();
            return remove(t, (int) a.arg(0), a.arg(1), (flags & FileMode.AT_REMOVEDIR) != 0);
        });
        r.full(Sysno.RENAME, "ss", (t, a) -> rename(t, FileMode.AT_FDCWD, a.arg(0), FileMode.AT_FDCWD, a.arg(1), 0));
        r.full(Sysno.RENAMEAT, "fsfs", (t, a) -> rename(t, (int) a.arg(0), a.arg(1), (int) a.arg(2), a.arg(3), 0));
        r.partial(Sysno.RENAMEAT2, "fsfsx", "RENAME_NOREPLACE; RENAME_EXCHANGE and RENAME_WHITEOUT are EINVAL",
                (t, a) -> rename(t, (int) a.arg(0), a.arg(1), (int) a.arg(2), a.arg(3), (int) a.arg(4)));
        r.full(Sysno.LINK, "ss", (t, a) -> link(t, FileMode.AT_FDCWD, a.arg(0), FileMode.AT_FDCWD, a.arg(1), 0));
        r.full(Sysno.LINKAT, "fsfsx", (t, a) -> link(t, (int) a.arg(0), a.arg(1), (int) a.arg(2), a.arg(3), (int) a.arg(4)));
        r.full(Sysno.SYMLINK, "ss", (t, a) -> symlink(t, a.arg(0), FileMode.AT_FDCWD, a.arg(1)));
        r.full(Sysno.SYMLINKAT, "sfs", (t, a) -> symlink(t, a.arg(0), (int) a.arg(1), a.arg(2)));
        r.partial(Sysno.MKNOD, "sox", "regular files and FIFOs; device nodes are EPERM", (t, a) -> mknod(t, FileMode.AT_FDCWD, a.arg(0), (int) a.arg(1)));
        r.partial(Sysno.MKNODAT, "fsox", "regular files and FIFOs; device nodes are EPERM", (t, a) -> mknod(t, (int) a.arg(0), a.arg(1), (int) a.arg(2)));
        r.full(Sysno.CHMOD, "so", (t, a) -> chmod(t, Paths.resolve(t, FileMode.AT_FDCWD, Paths.read(t, a.arg(0), false), true), (int) a.arg(1)));
        r.full(Sysno.FCHMOD, "fo", (t, a) -> chmod(t, t.fds().getNotPath((int) a.arg(0)).location(), (int) a.arg(1)));
        r.full(Sysno.FCHMODAT, "fso", (t, a) -> chmod(t, Paths.resolve(t, (int) a.arg(0), Paths.read(t, a.arg(1), false), true), (int) a.arg(2)));
        r.full(Sysno.CHOWN, "sdd", (t, a) -> chown(t, Paths.resolve(t, FileMode.AT_FDCWD, Paths.read(t, a.arg(0), false), true), (int) a.arg(1), (int) a.arg(2)));
        r.full(Sysno.LCHOWN, "sdd", (t, a) -> chown(t, Paths.resolve(t, FileMode.AT_FDCWD, Paths.read(t, a.arg(0), false), false), (int) a.arg(1), (int) a.arg(2)));
        r.full(Sysno.FCHOWN, "fdd", (t, a) -> chown(t, t.fds().getNotPath((int) a.arg(0)).location(), (int) a.arg(1), (int) a.arg(2)));
        r.full(Sysno.FCHOWNAT, "fsddx", (t, a) -> {
            int flags = (int) a.arg(4);
            String p = Paths.read(t, a.arg(1), true);
            return chown(t, Paths.resolveOrEmpty(t, (int) a.arg(0), p, (flags & FileMode.AT_SYMLINK_NOFOLLOW) == 0, flags), (int) a.arg(2), (int) a.arg(3));
        });
        r.full(Sysno.UTIMENSAT, "fspx", SysNamespace::utimensat);
        r.full(Sysno.UTIMES, "sp", (t, a) -> utimes(t, FileMode.AT_FDCWD, a.arg(0), a.arg(1)));
        r.full(Sysno.FUTIMESAT, "fsp", (t, a) -> utimes(t, (int) a.arg(0), a.arg(1), a.arg(2)));
        r.full(Sysno.UTIME, "sp", (t, a) -> {
            Location l = Paths.resolve(t, FileMode.AT_FDCWD, Paths.read(t, a.arg(0), false), true);
            long at = Long.MIN_VALUE, mt = Long.MIN_VALUE;
            if (a.arg(1) == 0) at = mt = Clock.realtimeNanos();
            else {
                at = t.mm().readLong(a.arg(1)) * 1_000_000_000L;
                mt = t.mm().readLong(a.arg(1) + 8) * 1_000_000_000L;
            }
            return setTimes(t, l, at, mt, a.arg(1) == 0);
        });
        r.full(Sysno.TRUNCATE, "sd", (t, a) -> {
            Location l = Paths.resolve(t, FileMode.AT_FDCWD, Paths.read(t, a.arg(0), false), true);
            if (a.arg(1) < 0) throw Errno.EINVAL.exception();
            if (l.inode().isDir()) throw Errno.EISDIR.exception();
            Vfs.checkPermission(t.creds(), l.inode(), Vfs.MAY_WRITE);
            Vfs.checkWritable(l);
            SysCredentials.checkFileSize(t, l.inode(), a.arg(1));
            l.inode().truncate(a.arg(1));
            return 0;
        });
        r.full(Sysno.FTRUNCATE, "fd", (t, a) -> {
            OpenFile f = t.fds().get((int) a.arg(0));
            if (a.arg(1) < 0) throw Errno.EINVAL.exception();
            if (f.isPath()) throw Errno.EBADF.exception();
            if (f.inode() == null || !f.inode().isRegular()) throw Errno.EINVAL.exception();
            if (!f.writable()) throw Errno.EINVAL.exception();
            SysCredentials.checkFileSize(t, f.inode(), a.arg(1));
            f.truncate(a.arg(1));
            return 0;
        });
        r.partial(Sysno.FALLOCATE, "fxdd", "mode 0 only (extends the file)", (t, a) -> {
            OpenFile f = t.fds().get((int) a.arg(0));
            long off = a.arg(2), len = a.arg(3);
            if (a.arg(1) != 0) throw Errno.EOPNOTSUPP.exception();
            if (off < 0 || len <= 0) throw Errno.EINVAL.exception();
            if (!f.writable()) throw Errno.EBADF.exception();
            if (f.inode() == null || !f.inode().isRegular()) throw Errno.ENODEV.exception();
            if (f.inode().size() < off + len) f.inode().truncate(off + len);
            return 0;
        });
        r.full(Sysno.FSYNC, "f", (t, a) -> { t.fds().get((int) a.arg(0)).fsync(); return 0; });
        r.full(Sysno.FDATASYNC, "f", (t, a) -> { t.fds().get((int) a.arg(0)).fsync(); return 0; });
        r.full(Sysno.SYNC_FILE_RANGE, "fddx", (t, a) -> {
            // SYNC_FILE_RANGE_WAIT_BEFORE | WRITE | WAIT_AFTER; nothing to flush in the Sentry.
            if ((a.arg(3) & ~7L) != 0 || a.arg(1) < 0 || a.arg(2) < 0) throw Errno.EINVAL.exception();
            t.fds().get((int) a.arg(0));
            return 0;
        });
        r.full(Sysno.SYNC, "", (t, a) -> 0);
        r.full(Sysno.SYNCFS, "f", (t, a) -> { t.fds().get((int) a.arg(0)); return 0; });
        r.full(Sysno.CHDIR, "s", (t, a) -> chdir(t, Paths.resolve(t, FileMode.AT_FDCWD, Paths.read(t, a.arg(0), false), true)));
        r.full(Sysno.FCHDIR, "f", (t, a) -> {
            Location l = t.fds().get((int) a.arg(0)).location();
            if (l == null) throw Errno.ENOTDIR.exception();
            return chdir(t, l);
        });
        r.full(Sysno.GETCWD, "pd", (t, a) -> {
            // A removed working directory has no path (Linux: "(unreachable)", reported as ENOENT).
            if (t.fs().cwd().inode() instanceof DirInode cwd && cwd.removed()) throw Errno.ENOENT.exception();
            byte[] p = (t.kernel().vfs().pathOf(t.fs(), t.fs().cwd()) + "\0").getBytes(StandardCharsets.UTF_8);
            if (a.arg(1) < p.length) throw Errno.ERANGE.exception();
            t.mm().write(a.arg(0), p, 0, p.length);
            return p.length;
        });
        r.full(Sysno.UMASK, "o", (t, a) -> t.fs().umask((int) a.arg(0)));
        r.full(Sysno.CHROOT, "s", (t, a) -> {
            Location l = Paths.resolve(t, FileMode.AT_FDCWD, Paths.read(t, a.arg(0), false), true);
            if (!t.creds().hasCap(18 /* CAP_SYS_CHROOT */)) throw Errno.EPERM.exception();
            if (!l.inode().isDir()) throw Errno.ENOTDIR.exception();
            Vfs.checkPermission(t.creds(), l.inode(), Vfs.MAY_EXEC);
            t.fs().root(l);
            return 0;
        });
    }

    private static long chdir(Task t, Location l) {
        if (!l.inode().isDir()) throw Errno.ENOTDIR.exception();
        Vfs.checkPermission(t.creds(), l.inode(), Vfs.MAY_EXEC);
        t.fs().cwd(l);
        return 0;
    }

    /** The parent of a name about to be created: writable, searchable, not read-only. */
    /**
     * The group of a new inode in {@code dir}: the directory's own when it is set-group-ID, else
     * the creator's (fs/inode.c inode_init_owner).
     */
    static int newGid(Task t, DirInode dir) {
        return (dir.mode() & FileMode.S_ISGID) != 0 ? dir.gid() : t.creds().fsgid();
    }

    /**
     * The permission bits of a new inode in {@code dir} of group {@code gid}: a directory made in a
     * set-group-ID directory is set-group-ID too; a group-executable file keeps a set-group-ID
     * bit only if its creator is in that group or has CAP_FSETID (fs/inode.c inode_init_owner).
     */
    static int newPerm(Task t, DirInode dir, int perm, boolean directory, int gid) {
        if (directory) return (dir.mode() & FileMode.S_ISGID) != 0 ? perm | FileMode.S_ISGID : perm;
        if ((perm & (FileMode.S_ISGID | 010)) == (FileMode.S_ISGID | 010) && !t.creds().inGroup(gid)
                && !t.creds().hasCap(dev.jvisor.abi.linux.Capability.CAP_FSETID)) return perm & ~FileMode.S_ISGID;
        return perm;
    }

    private static DirInode creatable(Task t, Vfs.Parent p, boolean directory) {
        DirInode dir = p.dir().dir();
        if (p.name().equals(".") || p.name().equals("..")) throw Errno.EEXIST.exception();
        if (dir.lookup(p.name()) != null) throw Errno.EEXIST.exception();
        if (dir.removed()) throw Errno.ENOENT.exception();
        // "name/" asks for a directory: anything else it would create is ENOENT (fs/namei.c filename_create).
        if (p.trailingSlash() && !directory) throw Errno.ENOENT.exception();
        Vfs.checkPermission(t.creds(), dir, Vfs.MAY_WRITE | Vfs.MAY_EXEC);
        Vfs.checkWritable(p.dir());
        if (!dir.mutable()) throw Errno.EACCES.exception();
        return dir;
    }

    private static long mkdir(Task t, int dirfd, long pathAddr, int mode) {
        Vfs.Parent p = Paths.parent(t, dirfd, Paths.read(t, pathAddr, false));
        DirInode dir = creatable(t, p, true);
        int gid = newGid(t, dir);
        int perm = newPerm(t, dir, mode & 07777 & ~t.fs().umask(), true, gid);
        dir.link(p.name(), new DirInode(dir.fs(), perm, t.creds().fsuid(), gid));
        return 0;
    }

    private static long mknod(Task t, int dirfd, long pathAddr, int mode) {
        int type = mode & FileMode.S_IFMT;
        // The type is checked before the path, as Linux's may_mknod does.
        if (type == FileMode.S_IFDIR) throw Errno.EPERM.exception();
        if (type != 0 && type != FileMode.S_IFREG && type != FileMode.S_IFIFO && type != FileMode.S_IFCHR
                && type != FileMode.S_IFBLK && type != FileMode.S_IFSOCK) throw Errno.EINVAL.exception();
        Vfs.Parent p = Paths.parent(t, dirfd, Paths.read(t, pathAddr, false));
        if (type == FileMode.S_IFCHR || type == FileMode.S_IFBLK || type == FileMode.S_IFSOCK) throw Errno.EPERM.exception();
        DirInode dir = creatable(t, p, false);
        int gid = newGid(t, dir);
        int perm = newPerm(t, dir, mode & 07777 & ~t.fs().umask(), false, gid);
        dir.link(p.name(), Tmpfs.newInode(dir.fs(), (type == 0 ? FileMode.S_IFREG : type) | perm, t.creds().fsuid(), gid, 0));
        return 0;
    }

    private static void checkSticky(Task t, DirInode dir, Inode victim) {
        if ((dir.mode() & FileMode.S_ISVTX) == 0) return;
        Credentials c = t.creds();
        if (c.fsuid() == victim.uid() || c.fsuid() == dir.uid() || c.hasCap(Credentials.CAP_FOWNER)) return;
        throw Errno.EPERM.exception();
    }

    private static long remove(Task t, int dirfd, long pathAddr, boolean isDir) {
        Vfs.Parent p = Paths.parent(t, dirfd, Paths.read(t, pathAddr, false));
        if (isDir && p.name().equals(".")) throw Errno.EINVAL.exception();
        if (isDir && p.name().equals("..")) throw Errno.ENOTEMPTY.exception();
        DirInode dir = p.dir().dir();
        if (!isDir && (p.name().equals(".") || p.name().equals(".."))) throw Errno.EISDIR.exception();
        Inode victim = dir.lookup(p.name());
        if (victim == null) throw Errno.ENOENT.exception();
        Vfs.checkPermission(t.creds(), dir, Vfs.MAY_WRITE | Vfs.MAY_EXEC);
        Vfs.checkWritable(p.dir());
        if (!dir.mutable()) throw Errno.EACCES.exception();
        checkSticky(t, dir, victim);
        if (isDir) {
            if (!victim.isDir()) throw Errno.ENOTDIR.exception();
            if (t.kernel().vfs().crossMounts(new Location(p.dir().mount(), victim)).inode() != victim) throw Errno.EBUSY.exception();
            if (!((DirInode) victim).isEmpty()) throw Errno.ENOTEMPTY.exception();
        } else {
            if (victim.isDir()) throw Errno.EISDIR.exception();
            if (p.trailingSlash()) throw Errno.ENOTDIR.exception();
        }
        dir.unlink(p.name());
        if (victim instanceof DirInode gone) gone.markRemoved();
        return 0;
    }

    private static long rename(Task t, int oldDirfd, long oldAddr, int newDirfd, long newAddr, int flags) {
        if ((flags & ~1) != 0) throw Errno.EINVAL.exception();
        Vfs.Parent from = Paths.parent(t, oldDirfd, Paths.read(t, oldAddr, false));
        Vfs.Parent to = Paths.parent(t, newDirfd, Paths.read(t, newAddr, false));
        if (from.name().equals(".") || from.name().equals("..") || to.name().equals(".") || to.name().equals("..")) {
            throw Errno.EBUSY.exception();
        }
        if (from.dir().mount() != to.dir().mount()) throw Errno.EXDEV.exception();
        DirInode src = from.dir().dir(), dst = to.dir().dir();
        Inode moving = src.lookup(from.name());
        if (moving == null) throw Errno.ENOENT.exception();
        if ((from.trailingSlash() || to.trailingSlash()) && !moving.isDir()) throw Errno.ENOTDIR.exception();
        Inode replaced = dst.lookup(to.name());
        if (replaced != null && (flags & 1) != 0) throw Errno.EEXIST.exception();
        Vfs.checkPermission(t.creds(), src, Vfs.MAY_WRITE | Vfs.MAY_EXEC);
        Vfs.checkPermission(t.creds(), dst, Vfs.MAY_WRITE | Vfs.MAY_EXEC);
        Vfs.checkWritable(from.dir());
        if (!src.mutable() || !dst.mutable()) throw Errno.EACCES.exception();
        checkSticky(t, src, moving);
        if (replaced != null) checkSticky(t, dst, replaced);
        if (dst.removed()) throw Errno.ENOENT.exception();
        DirInode.rename(src, from.name(), dst, to.name());
        if (replaced instanceof DirInode gone && replaced != moving) gone.markRemoved();
        return 0;
    }

    private static long link(Task t, int oldDirfd, long oldAddr, int newDirfd, long newAddr, int flags) {
        if ((flags & ~(FileMode.AT_SYMLINK_FOLLOW | FileMode.AT_EMPTY_PATH)) != 0) throw Errno.EINVAL.exception();
        String oldPath = Paths.read(t, oldAddr, true);
        Location target = Paths.resolveOrEmpty(t, oldDirfd, oldPath, (flags & FileMode.AT_SYMLINK_FOLLOW) != 0, flags);
        Vfs.Parent p = Paths.parent(t, newDirfd, Paths.read(t, newAddr, false));
        if (target.inode().isDir()) throw Errno.EPERM.exception();
        if (target.mount() != p.dir().mount()) throw Errno.EXDEV.exception();
        DirInode dir = creatable(t, p, false);
        dir.link(p.name(), target.inode());
        return 0;
    }

    private static long symlink(Task t, long targetAddr, int dirfd, long pathAddr) {
        String target = Paths.read(t, targetAddr, false);
        Vfs.Parent p = Paths.parent(t, dirfd, Paths.read(t, pathAddr, false));
        DirInode dir = creatable(t, p, false);
        dir.link(p.name(), new SymlinkInode(dir.fs(), target, t.creds().fsuid(), newGid(t, dir)));
        return 0;
    }

    private static long chmod(Task t, Location l, int mode) {
        if (l == null) throw Errno.EBADF.exception();
        Inode i = l.inode();
        Credentials c = t.creds();
        if (c.fsuid() != i.uid() && !c.hasCap(Credentials.CAP_FOWNER)) throw Errno.EPERM.exception();
        if (l.mount() != null) Vfs.checkWritable(l);
        int perm = mode & 07777;
        if (!c.hasCap(Credentials.CAP_FOWNER) && !c.inGroup(i.gid())) perm &= ~FileMode.S_ISGID;
        i.chmod(perm);
        return 0;
    }

    private static long chown(Task t, Location l, int uid, int gid) {
        if (l == null) throw Errno.EBADF.exception();
        Inode i = l.inode();
        Credentials c = t.creds();
        if (!c.hasCap(Credentials.CAP_CHOWN)) {
            boolean owner = c.fsuid() == i.uid();
            if ((uid != -1 && uid != i.uid()) || !owner || (gid != -1 && gid != i.gid() && !c.inGroup(gid))) {
                throw Errno.EPERM.exception();
            }
        }
        if (l.mount() != null) Vfs.checkWritable(l);
        i.chown(uid, gid);
        if (!i.isDir() && (uid != -1 || gid != -1)) i.chmod(i.mode() & ~(FileMode.S_ISUID | ((i.mode() & 010) != 0 ? FileMode.S_ISGID : 0)));
        return 0;
    }

    private static long utimensat(Task t, Registers a) {
        int dirfd = (int) a.arg(0), flags = (int) a.arg(3);
        long timesAddr = a.arg(2);
        long[] ts = null;
        if (timesAddr != 0) {
            ts = new long[4];
            for (int i = 0; i < 4; i++) ts[i] = t.mm().readLong(timesAddr + 8L * i);
            // Nothing to change: Linux returns before it even looks at the path (fs/utimes.c).
            if (ts[1] == UTIME_OMIT && ts[3] == UTIME_OMIT) return 0;
        }
        if ((flags & ~(FileMode.AT_SYMLINK_NOFOLLOW | FileMode.AT_EMPTY_PATH)) != 0) throw Errno.EINVAL.exception();
        Location l;
        if (a.arg(1) == 0) {
            if (dirfd == FileMode.AT_FDCWD) throw Errno.EFAULT.exception();
            l = t.fds().get(dirfd).location();
        } else {
            String p = Paths.read(t, a.arg(1), true);
            l = Paths.resolveOrEmpty(t, dirfd, p, (flags & FileMode.AT_SYMLINK_NOFOLLOW) == 0, flags);
        }
        long now = Clock.realtimeNanos();
        if (ts == null) return setTimes(t, l, now, now, true);
        long at = timeArg(ts[0], ts[1], now), mt = timeArg(ts[2], ts[3], now);
        boolean onlyNow = (ts[1] == UTIME_NOW || ts[1] == UTIME_OMIT) && (ts[3] == UTIME_NOW || ts[3] == UTIME_OMIT);
        return setTimes(t, l, at, mt, onlyNow);
    }

    private static long timeArg(long sec, long nsec, long now) {
        if (nsec == UTIME_NOW) return now;
        if (nsec == UTIME_OMIT) return Long.MIN_VALUE;
        if (nsec < 0 || nsec >= 1_000_000_000L) throw Errno.EINVAL.exception();
        return sec * 1_000_000_000L + nsec;
    }

    private static long utimes(Task t, int dirfd, long pathAddr, long timesAddr) {
        Location l = Paths.resolve(t, dirfd, Paths.read(t, pathAddr, false), true);
        if (timesAddr == 0) {
            long now = Clock.realtimeNanos();
            return setTimes(t, l, now, now, true);
        }
        long[] tv = new long[4];
        for (int i = 0; i < 4; i++) tv[i] = t.mm().readLong(timesAddr + 8L * i);
        if (tv[1] < 0 || tv[1] >= 1_000_000 || tv[3] < 0 || tv[3] >= 1_000_000) throw Errno.EINVAL.exception();
        return setTimes(t, l, tv[0] * 1_000_000_000L + tv[1] * 1000, tv[2] * 1_000_000_000L + tv[3] * 1000, false);
    }

    private static long setTimes(Task t, Location l, long at, long mt, boolean toNow) {
        Inode i = l.inode();
        Credentials c = t.creds();
        if (c.fsuid() != i.uid() && !c.hasCap(Credentials.CAP_FOWNER)) {
            if (!toNow) throw Errno.EPERM.exception();
            Vfs.checkPermission(c, i, Vfs.MAY_WRITE);
        }
        if (l.mount() != null) Vfs.checkWritable(l);
        i.setTimes(at, mt);
        return 0;
    }
}
