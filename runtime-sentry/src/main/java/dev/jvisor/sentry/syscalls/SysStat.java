package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.abi.linux.Sysno;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.platform.Registers;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.OpenFile;
import dev.jvisor.sentry.vfs.Stat;
import dev.jvisor.sentry.vfs.SymlinkInode;
import dev.jvisor.sentry.vfs.Vfs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Implements stat(2) family incl. newfstatat and statx(2), access(2)/faccessat2, readlink(2), getdents(2)/getdents64, statfs(2)/fstatfs. */
final class SysStat {
    private SysStat() {}

    static void register(Registrar r) {
        r.full(Sysno.STAT, "sp", (t, a) -> putStat(t, a.arg(1), Paths.resolve(t, FileMode.AT_FDCWD, Paths.read(t, a.arg(0), false), true)));
        r.full(Sysno.LSTAT, "sp", (t, a) -> putStat(t, a.arg(1), Paths.resolve(t, FileMode.AT_FDCWD, Paths.read(t, a.arg(0), false), false)));
        r.full(Sysno.FSTAT, "fp", (t, a) -> {
            byte[] b = t.fds().get((int) a.arg(0)).stat().toStat();
            t.mm().write(a.arg(1), b, 0, b.length);
            return 0;
        });
        r.full(Sysno.NEWFSTATAT, "fspx", (t, a) -> {
            int flags = (int) a.arg(3);
            if ((flags & ~(FileMode.AT_SYMLINK_NOFOLLOW | FileMode.AT_EMPTY_PATH | FileMode.AT_NO_AUTOMOUNT)) != 0) throw Errno.EINVAL.exception();
            String path = Paths.read(t, a.arg(1), true);
            if (path.isEmpty() && (flags & FileMode.AT_EMPTY_PATH) != 0 && (int) a.arg(0) != FileMode.AT_FDCWD) {
                byte[] b = t.fds().get((int) a.arg(0)).stat().toStat();
                t.mm().write(a.arg(2), b, 0, b.length);
                return 0;
            }
            return putStat(t, a.arg(2), Paths.resolveOrEmpty(t, (int) a.arg(0), path, (flags & FileMode.AT_SYMLINK_NOFOLLOW) == 0, flags));
        });
        r.partial(Sysno.STATX, "fsxxp", "STATX_BASIC_STATS only; no birth time", SysStat::statx);
        r.full(Sysno.ACCESS, "so", (t, a) -> access(t, FileMode.AT_FDCWD, a.arg(0), (int) a.arg(1), 0));
        r.full(Sysno.FACCESSAT, "fso", (t, a) -> access(t, (int) a.arg(0), a.arg(1), (int) a.arg(2), 0));
        r.full(Sysno.FACCESSAT2, "fsox", (t, a) -> access(t, (int) a.arg(0), a.arg(1), (int) a.arg(2), (int) a.arg(3)));
        r.full(Sysno.READLINK, "spd", (t, a) -> readlink(t, FileMode.AT_FDCWD, a.arg(0), a.arg(1), a.arg(2)));
        r.full(Sysno.READLINKAT, "fspd", (t, a) -> readlink(t, (int) a.arg(0), a.arg(1), a.arg(2), a.arg(3)));
        r.full(Sysno.GETDENTS64, "fpd", (t, a) -> getdents(t, (int) a.arg(0), a.arg(1), a.arg(2), true));
        r.full(Sysno.GETDENTS, "fpd", (t, a) -> getdents(t, (int) a.arg(0), a.arg(1), a.arg(2), false));
        r.partial(Sysno.STATFS, "sp", "block and inode counts are nominal", (t, a) ->
                statfs(t, a.arg(1), Paths.resolve(t, FileMode.AT_FDCWD, Paths.read(t, a.arg(0), false), true)));
        r.partial(Sysno.FSTATFS, "fp", "block and inode counts are nominal", (t, a) -> {
            OpenFile f = t.fds().get((int) a.arg(0));
            return statfs(t, a.arg(1), f.location());
        });
    }

    private static long putStat(Task t, long addr, Location l) {
        byte[] b = l.inode().stat().toStat();
        t.mm().write(addr, b, 0, b.length);
        return 0;
    }

    private static long statx(Task t, Registers a) {
        int dirfd = (int) a.arg(0), flags = (int) a.arg(2);
        String path = Paths.read(t, a.arg(1), true);
        if ((flags & ~(FileMode.AT_SYMLINK_NOFOLLOW | FileMode.AT_EMPTY_PATH | FileMode.AT_NO_AUTOMOUNT | 0x6000)) != 0) {
            throw Errno.EINVAL.exception();
        }
        if ((a.arg(3) & 0x80000000L) != 0) throw Errno.EINVAL.exception(); // STATX__RESERVED
        Stat s;
        if (path.isEmpty() && (flags & FileMode.AT_EMPTY_PATH) != 0 && dirfd != FileMode.AT_FDCWD) {
            s = t.fds().get(dirfd).stat();
        } else {
            s = Paths.resolveOrEmpty(t, dirfd, path, (flags & FileMode.AT_SYMLINK_NOFOLLOW) == 0, flags).inode().stat();
        }
        byte[] b = s.toStatx();
        t.mm().write(a.arg(4), b, 0, b.length);
        return 0;
    }

    private static long access(Task t, int dirfd, long pathAddr, int mode, int flags) {
        if ((mode & ~7) != 0) throw Errno.EINVAL.exception();
        if ((flags & ~(FileMode.AT_EACCESS | FileMode.AT_SYMLINK_NOFOLLOW | FileMode.AT_EMPTY_PATH)) != 0) throw Errno.EINVAL.exception();
        String path = Paths.read(t, pathAddr, true);
        Location l = Paths.resolveOrEmpty(t, dirfd, path, (flags & FileMode.AT_SYMLINK_NOFOLLOW) == 0, flags);
        if (mode == 0) return 0;
        // access(2) checks with the real ids unless AT_EACCESS.
        var c = t.creds();
        var checkAs = (flags & FileMode.AT_EACCESS) != 0 ? c : c.forAccessCheck();
        if ((mode & 2) != 0 && l.mount() != null && (l.inode().isRegular() || l.inode().isDir())) Vfs.checkWritable(l);
        Vfs.checkPermission(checkAs, l.inode(), mode);
        return 0;
    }

    private static long readlink(Task t, int dirfd, long pathAddr, long buf, long size) {
        if (size <= 0) throw Errno.EINVAL.exception();
        String path = Paths.read(t, pathAddr, true);
        Location l = Paths.resolveOrEmpty(t, dirfd, path, false, path.isEmpty() ? FileMode.AT_EMPTY_PATH : 0);
        if (!(l.inode() instanceof SymlinkInode link)) throw Errno.EINVAL.exception();
        byte[] target = link.target().getBytes(StandardCharsets.UTF_8);
        int n = (int) Math.min(target.length, size);
        t.mm().write(buf, target, 0, n);
        return n;
    }

    private static long getdents(Task t, int fd, long buf, long count, boolean is64) {
        OpenFile f = t.fds().acquireNotPath(fd);
        try {
            if (count < 0) throw Errno.EINVAL.exception();
            // A removed directory lists nothing, not even "." and ".." (fs/readdir.c IS_DEADDIR).
            if (f.inode() instanceof dev.jvisor.sentry.vfs.DirInode d && d.removed()) throw Errno.ENOENT.exception();
            byte[] b = new byte[(int) Math.min(count, 1 << 20)];
            int n = f.getdents(t, b);
            if (!is64) n = toOldDirents(b, n);
            t.mm().write(buf, b, 0, n);
            return n;
        } finally {
            f.release();
        }
    }

    /** Rewrites linux_dirent64 records as the older struct linux_dirent (type byte after the name). */
    private static int toOldDirents(byte[] b, int n) {
        ByteBuffer in = ByteBuffer.wrap(b.clone()).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int pos = 0;
        while (pos < n) {
            long ino = in.getLong(pos), off = in.getLong(pos + 8);
            int reclen = in.getShort(pos + 16) & 0xffff;
            byte type = in.get(pos + 18);
            int nameLen = 0;
            while (in.get(pos + 19 + nameLen) != 0) nameLen++;
            int start = out.position();
            out.putLong(ino).putLong(off).putShort((short) reclen);
            out.put(b.length > 0 ? java.util.Arrays.copyOfRange(in.array(), pos + 19, pos + 19 + nameLen) : new byte[0]);
            out.put((byte) 0);
            while (out.position() < start + reclen - 1) out.put((byte) 0);
            out.put(type);
            pos += reclen;
        }
        return n;
    }

    private static long statfs(Task t, long addr, Location l) {
        ByteBuffer b = ByteBuffer.allocate(120).order(ByteOrder.LITTLE_ENDIAN);
        long magic = l == null || l.mount() == null ? 0x50495045L : l.mount().fs().magic();
        b.putLong(magic).putLong(4096).putLong(1 << 20).putLong(1 << 19).putLong(1 << 19)
         .putLong(1 << 20).putLong(1 << 19).putInt(0).putInt(0).putLong(255).putLong(4096)
         .putLong(l != null && l.mount() != null && l.mount().readOnly() ? 1 /* ST_RDONLY */ : 0);
        t.mm().write(addr, b.array(), 0, 120);
        return 0;
    }
}
