package dev.jvisor.gofer;

import dev.jvisor.abi.AtFlags;
import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.Seccomp;
import dev.jvisor.hostcall.RawSyscall;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The Gofer's host system calls, all made through {@link RawSyscall} (calls glibc has no wrapper
 * for, such as openat2, seccomp and pivot_root, go the same way as the rest). Every
 * wrapper returns the kernel's result or throws an {@link ErrnoException} naming the call; EINTR
 * is retried where the call is restartable. Nothing outside this class handles a raw errno.
 *
 * <p>Numbers are the x86-64 system call numbers from {@code arch/x86/entry/syscalls/syscall_64.tbl}.
 */
final class Native {
    // syscall_64.tbl
    static final int SYS_READ = 0;
    static final int SYS_CLOSE = 3;
    static final int SYS_LSEEK = 8;
    static final int SYS_PREAD64 = 17;
    static final int SYS_PWRITE64 = 18;
    static final int SYS_GETPID = 39;
    static final int SYS_FCNTL = 72;
    static final int SYS_FSYNC = 74;
    static final int SYS_FDATASYNC = 75;
    static final int SYS_FTRUNCATE = 77;
    static final int SYS_CHDIR = 80;
    static final int SYS_FCHDIR = 81;
    static final int SYS_FCHMOD = 91;
    static final int SYS_FSTATFS = 138;
    static final int SYS_PRCTL = 157;
    static final int SYS_CHROOT = 161;
    static final int SYS_MOUNT = 165;
    static final int SYS_UMOUNT2 = 166;
    static final int SYS_PIVOT_ROOT = 155;
    static final int SYS_FSETXATTR = 190;
    static final int SYS_FGETXATTR = 193;
    static final int SYS_FLISTXATTR = 196;
    static final int SYS_GETDENTS64 = 217;
    static final int SYS_OPENAT = 257;
    static final int SYS_MKDIRAT = 258;
    static final int SYS_MKNODAT = 259;
    static final int SYS_FCHOWNAT = 260;
    static final int SYS_NEWFSTATAT = 262;
    static final int SYS_UNLINKAT = 263;
    static final int SYS_LINKAT = 265;
    static final int SYS_SYMLINKAT = 266;
    static final int SYS_READLINKAT = 267;
    static final int SYS_UNSHARE = 272;
    static final int SYS_UTIMENSAT = 280;
    static final int SYS_RENAMEAT2 = 316;
    static final int SYS_SECCOMP = 317;
    static final int SYS_OPENAT2 = 437;
    static final int SYS_GETEUID = 107;
    static final int SYS_PRLIMIT64 = 302;
    static final int SYS_GETPPID = 110;
    static final int SYS_DUP3 = 292;

    // <linux/prctl.h>, <asm-generic/signal.h>, <asm-generic/fcntl.h>
    private static final int PR_SET_PDEATHSIG = 1;
    private static final int SIGKILL = 9;
    private static final int O_CLOEXEC = 0x80000;
    private static final int F_GETFD = 1;

    private Native() {}

    /**
     * One thread's native scratch memory: two C strings of up to PATH_MAX
     * bytes and room for a small structure, allocated once per thread. The calls a request makes
     * most (openat2, fstatat, readlinkat) use it instead of an arena per call, and read a struct
     * stat with one bulk copy into {@link #longs}: until the JIT compiles them, every arena,
     * allocation and segment access is dozens of interpreted calls, and a sandbox's first
     * hundreds of requests run interpreted.
     */
    private static final class Scratch {
        static final int PATH_MAX = 4096;   // <linux/limits.h>, NUL included
        static final long PATH_1 = PATH_MAX;
        static final long STRUCT = 2L * PATH_MAX;
        static final int STRUCT_SIZE = 256;

        final MemorySegment buf = Arena.ofAuto().allocate(STRUCT + STRUCT_SIZE, 8);
        final long base = buf.address();
        final long[] longs = new long[STRUCT_SIZE / 8];

        /** {@code s} as a NUL-terminated C string at {@code offset} (0 or PATH_1); its address. */
        long path(long offset, String s) throws ErrnoException {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            if (bytes.length >= PATH_MAX) {
                throw new ErrnoException(Errno.ENAMETOOLONG, "path of " + bytes.length + " bytes");
            }
            MemorySegment.copy(bytes, 0, buf, JAVA_BYTE, offset, bytes.length);
            buf.set(JAVA_BYTE, offset + bytes.length, (byte) 0);
            return base + offset;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    /** The empty C string, for the AT_EMPTY_PATH calls. */
    private static final long EMPTY_PATH = Arena.global().allocate(1).address();

    /** Makes a system call, retrying on EINTR; returns the non-negative result. */
    static long call(String name, int nr, long... args) throws ErrnoException {
        long[] a = new long[6];
        System.arraycopy(args, 0, a, 0, args.length);
        return call(name, nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    }

    /** {@link #call(String, int, long...)} without the argument array, for the calls made per request. */
    static long call(String name, int nr, long a0, long a1, long a2, long a3, long a4, long a5) throws ErrnoException {
        while (true) {
            long r = RawSyscall.call(nr, a0, a1, a2, a3, a4, a5);
            if (!RawSyscall.failed(r)) {
                return r;
            }
            Errno e = Errno.ofOr(RawSyscall.errno(r), Errno.EIO);
            if (e != Errno.EINTR) {
                throw new ErrnoException(e, name);
            }
        }
    }

    /** Makes a system call once; returns its result or -errno. */
    static long raw(int nr, long... args) {
        long[] a = new long[6];
        System.arraycopy(args, 0, a, 0, args.length);
        return RawSyscall.call(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    }

    /** A NUL-terminated UTF-8 copy of {@code s} in {@code arena}, as a pointer argument. */
    static long cString(Arena arena, String s) {
        return arena.allocateFrom(s).address();
    }

    /** Closes {@code fd}; errors are not recoverable and are not reported. */
    static void closeQuietly(int fd) {
        if (fd >= 0) {
            RawSyscall.call(SYS_CLOSE, fd, 0, 0, 0, 0, 0);
        }
    }

    // ---- typed wrappers ----

    // <linux/openat2.h> resolve flags
    static final long RESOLVE_NO_XDEV = 0x01;
    static final long RESOLVE_NO_MAGICLINKS = 0x02;
    static final long RESOLVE_NO_SYMLINKS = 0x04;
    static final long RESOLVE_BENEATH = 0x08;

    // <linux/fs.h> seek whence
    static final int SEEK_SET = 0;

    /** {@code openat2(2)} with {@code struct open_how {u64 flags; u64 mode; u64 resolve;}}. */
    static int openat2(int dirFd, String name, int flags, int mode, long resolve) throws ErrnoException {
        Scratch s = SCRATCH.get();
        long path = s.path(0, name);
        MemorySegment how = s.buf;
        how.set(JAVA_LONG, Scratch.STRUCT, Integer.toUnsignedLong(flags));
        how.set(JAVA_LONG, Scratch.STRUCT + 8, mode);
        how.set(JAVA_LONG, Scratch.STRUCT + 16, resolve);
        return (int) call("openat2", SYS_OPENAT2, dirFd, path, s.base + Scratch.STRUCT, 24, 0, 0);
    }

    /** {@code openat(2)}, for paths the Gofer itself chose (never a client's name). */
    static int openat(int dirFd, String path, int flags, int mode) throws ErrnoException {
        Scratch s = SCRATCH.get();
        return (int) call("openat", SYS_OPENAT, dirFd, s.path(0, path), flags, mode, 0, 0);
    }

    /** {@code fstatat(fd, "", AT_EMPTY_PATH|AT_SYMLINK_NOFOLLOW)}: works on O_PATH descriptors. */
    static HostStat fstat(int fd) throws ErrnoException {
        return stat(SCRATCH.get(), fd, EMPTY_PATH, AtFlags.AT_EMPTY_PATH | AtFlags.AT_SYMLINK_NOFOLLOW);
    }

    /** {@code newfstatat(2)}. */
    static HostStat fstatat(int dirFd, String name, int flags) throws ErrnoException {
        Scratch s = SCRATCH.get();
        return stat(s, dirFd, s.path(0, name), flags);
    }

    /**
     * {@code newfstatat(2)} into the scratch structure area, read back with one bulk copy. x86-64
     * {@code struct stat} (144 bytes): dev ino nlink, mode uid (u32 each), gid pad, rdev size
     * blksize blocks, then atime mtime ctime as {sec, nsec} pairs.
     */
    private static HostStat stat(Scratch s, int dirFd, long path, int flags) throws ErrnoException {
        call("newfstatat", SYS_NEWFSTATAT, dirFd, path, s.base + Scratch.STRUCT, flags, 0, 0);
        long[] l = s.longs;
        MemorySegment.copy(s.buf, JAVA_LONG, Scratch.STRUCT, l, 0, 15);
        return new HostStat(l[0], l[1], l[2], (int) l[3], (int) (l[3] >>> 32), (int) l[4], l[5],
                l[6], l[7], l[8], l[9], l[10], l[11], l[12], l[13], l[14]);
    }

    /** {@code fstatfs(2)}; x86-64 {@code struct statfs} is 120 bytes of 8-byte fields. */
    static long[] fstatfs(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(120, 8);
            call("fstatfs", SYS_FSTATFS, fd, st.address());
            long[] f = new long[9];
            for (int i = 0; i < 7; i++) {
                f[i] = st.get(JAVA_LONG, 8L * i);   // type bsize blocks bfree bavail files ffree
            }
            f[7] = st.get(JAVA_LONG, 56);            // f_fsid: two ints, read as one 64-bit id
            f[8] = st.get(JAVA_LONG, 64);            // f_namelen
            return f;
        }
    }

    static byte[] pread(int fd, int count, long offset) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.max(1, count));
            int n = (int) call("pread64", SYS_PREAD64, fd, buf.address(), count, offset);
            return buf.asSlice(0, n).toArray(JAVA_BYTE);
        }
    }

    static int pwrite(int fd, byte[] data, long offset) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buf, JAVA_BYTE, 0, data.length);
            return (int) call("pwrite64", SYS_PWRITE64, fd, buf.address(), data.length, offset);
        }
    }

    /** One {@code getdents64(2)} batch into a caller's buffer; returns the bytes filled. */
    static int getdents64(int fd, MemorySegment buf) throws ErrnoException {
        return (int) call("getdents64", SYS_GETDENTS64, fd, buf.address(), buf.byteSize());
    }

    /** {@code fcntl(fd, F_DUPFD_CLOEXEC, 0)}, {@code <asm-generic/fcntl.h>} F_DUPFD_CLOEXEC = 1030. */
    static int dup(int fd) throws ErrnoException {
        return (int) call("fcntl(F_DUPFD_CLOEXEC)", SYS_FCNTL, fd, 1030, 0);
    }

    static void lseek(int fd, long offset, int whence) throws ErrnoException {
        call("lseek", SYS_LSEEK, fd, offset, whence);
    }

    static void mkdirat(int dirFd, String name, int mode) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            call("mkdirat", SYS_MKDIRAT, dirFd, cString(arena, name), mode);
        }
    }

    static void mknodat(int dirFd, String name, int mode, long dev) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            call("mknodat", SYS_MKNODAT, dirFd, cString(arena, name), mode, dev);
        }
    }

    static void symlinkat(String target, int dirFd, String name) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            call("symlinkat", SYS_SYMLINKAT, cString(arena, target), dirFd, cString(arena, name));
        }
    }

    static void linkat(int oldDirFd, String oldName, int newDirFd, String newName, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            call("linkat", SYS_LINKAT, oldDirFd, cString(arena, oldName), newDirFd, cString(arena, newName), flags);
        }
    }

    /** {@code readlinkat(fd, "")}: the target of the symlink an O_PATH descriptor names. */
    static String readlink(int fd) throws ErrnoException {
        Scratch s = SCRATCH.get();
        int n = (int) call("readlinkat", SYS_READLINKAT, fd, EMPTY_PATH, s.base + Scratch.PATH_1, Scratch.PATH_MAX, 0, 0);
        byte[] target = new byte[n];
        MemorySegment.copy(s.buf, JAVA_BYTE, Scratch.PATH_1, target, 0, n);
        return new String(target, StandardCharsets.UTF_8);
    }

    static void renameat2(int oldDirFd, String oldName, int newDirFd, String newName, int flags)
            throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            call("renameat2", SYS_RENAMEAT2, oldDirFd, cString(arena, oldName), newDirFd, cString(arena, newName),
                    flags);
        }
    }

    static void unlinkat(int dirFd, String name, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            call("unlinkat", SYS_UNLINKAT, dirFd, cString(arena, name), flags);
        }
    }

    static void fchmod(int fd, int mode) throws ErrnoException {
        call("fchmod", SYS_FCHMOD, fd, mode);
    }

    /** {@code fchownat(fd, "", uid, gid, AT_EMPTY_PATH|AT_SYMLINK_NOFOLLOW)}; -1 leaves an id as is. */
    static void fchown(int fd, int uid, int gid) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            call("fchownat", SYS_FCHOWNAT, fd, cString(arena, ""), uid, gid, AtFlags.AT_EMPTY_PATH | AtFlags.AT_SYMLINK_NOFOLLOW);
        }
    }

    static void ftruncate(int fd, long size) throws ErrnoException {
        call("ftruncate", SYS_FTRUNCATE, fd, size);
    }

    /** {@code utimensat(fd, NULL, times, 0)} on an open descriptor; nsec may be UTIME_NOW/UTIME_OMIT. */
    static void futimens(int fd, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ts = arena.allocate(32, 8);
            ts.set(JAVA_LONG, 0, atimeSec);
            ts.set(JAVA_LONG, 8, atimeNsec);
            ts.set(JAVA_LONG, 16, mtimeSec);
            ts.set(JAVA_LONG, 24, mtimeNsec);
            call("utimensat", SYS_UTIMENSAT, fd, 0, ts.address(), 0);
        }
    }

    static void fsync(int fd, boolean dataOnly) throws ErrnoException {
        if (dataOnly) {
            call("fdatasync", SYS_FDATASYNC, fd);
        } else {
            call("fsync", SYS_FSYNC, fd);
        }
    }

    /**
     * {@code fcntl(fd, cmd, struct flock*)} for open-file-description locks. x86-64 {@code struct
     * flock}: l_type[2] l_whence[2] pad[4] l_start[8] l_len[8] l_pid[4] pad[4].
     *
     * @return {type, start, len, pid} as the kernel left them (F_OFD_GETLK reports a conflict)
     */
    static long[] fcntlLock(int fd, int cmd, int type, long start, long len) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fl = arena.allocate(32, 8);
            fl.set(JAVA_SHORT, 0, (short) type);
            fl.set(JAVA_SHORT, 2, (short) SEEK_SET);
            fl.set(JAVA_LONG, 8, start);
            fl.set(JAVA_LONG, 16, len);
            call("fcntl", SYS_FCNTL, fd, cmd, fl.address());
            return new long[] {fl.get(JAVA_SHORT, 0), fl.get(JAVA_LONG, 8),
                    fl.get(JAVA_LONG, 16), fl.get(JAVA_INT, 24)};
        }
    }

    /** {@code fgetxattr(2)} or, with a null name, {@code flistxattr(2)}; at most {@code max} bytes. */
    static byte[] fgetxattr(int fd, String name, int max) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.max(1, max));
            long n = name == null
                    ? call("flistxattr", SYS_FLISTXATTR, fd, buf.address(), max)
                    : call("fgetxattr", SYS_FGETXATTR, fd, cString(arena, name), buf.address(), max);
            return buf.asSlice(0, n).toArray(JAVA_BYTE);
        }
    }

    static void fsetxattr(int fd, String name, byte[] value, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.max(1, value.length));
            MemorySegment.copy(value, 0, buf, JAVA_BYTE, 0, value.length);
            call("fsetxattr", SYS_FSETXATTR, fd, cString(arena, name), buf.address(), value.length, flags);
        }
    }

    // ---- confinement ----

    static int geteuid() {
        return (int) raw(SYS_GETEUID);
    }

    /**
     * Raises the soft limit on open descriptors to the hard limit: every fid holds one or two.
     * {@code prlimit64(0, RLIMIT_NOFILE, NULL, &old)} then {@code (0, RLIMIT_NOFILE, &new, NULL)};
     * RLIMIT_NOFILE = 7, {@code <asm-generic/resource.h>}; {@code struct rlimit64} is {cur, max}.
     *
     * @return the new soft limit
     */
    static long raiseOpenFileLimit() throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment lim = arena.allocate(16, 8);
            call("prlimit64", SYS_PRLIMIT64, 0, 7, 0, lim.address());
            long hard = lim.get(JAVA_LONG, 8);
            lim.set(JAVA_LONG, 0, hard);
            call("prlimit64", SYS_PRLIMIT64, 0, 7, lim.address(), 0);
            return hard;
        }
    }

    /** Makes the directory {@code dirFd} names this process's root and working directory. */
    static void chrootTo(int dirFd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            call("fchdir", SYS_FCHDIR, dirFd);
            call("chroot", SYS_CHROOT, cString(arena, "."));
            call("chdir", SYS_CHDIR, cString(arena, "/"));
        }
    }

    /**
     * Makes this process die with {@code parent}: {@code prctl(PR_SET_PDEATHSIG, SIGKILL)}, then
     * ESRCH if the parent is no longer {@code parent} (it died before the request took hold).
     */
    static void dieWithParent(long parent) throws ErrnoException {
        call("prctl(PR_SET_PDEATHSIG)", SYS_PRCTL, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        long now = call("getppid", SYS_GETPPID, 0, 0, 0, 0, 0, 0);
        if (now != parent) {
            throw new ErrnoException(Errno.ESRCH, "parent " + parent + " is gone");
        }
    }

    /**
     * {@code dup3(fd, target, O_CLOEXEC)}: a copy of {@code fd} at descriptor {@code target}, which
     * must be free (EBUSY otherwise: dup3 would close what the JVM keeps there).
     */
    static void dupTo(int fd, int target) throws ErrnoException {
        if (raw(SYS_FCNTL, target, F_GETFD) != -Errno.EBADF.number()) {
            throw new ErrnoException(Errno.EBUSY, "descriptor " + target + " is taken");
        }
        call("dup3", SYS_DUP3, fd, target, O_CLOEXEC, 0, 0, 0);
    }

    /** {@code prctl(PR_SET_NO_NEW_PRIVS, 1)}. */
    static void noNewPrivileges() throws ErrnoException {
        call("prctl(PR_SET_NO_NEW_PRIVS)", SYS_PRCTL, Seccomp.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    }

    /**
     * {@code seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog)}: installs a BPF
     * program (8-byte {@code struct sock_filter}s) on every thread of the process.
     * {@code struct sock_fprog} is {u16 len; pad; struct sock_filter *filter}.
     */
    static void installSeccompFilter(byte[] program) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment filter = arena.allocate(program.length, 8);
            MemorySegment.copy(program, 0, filter, JAVA_BYTE, 0, program.length);
            MemorySegment fprog = arena.allocate(16, 8);
            fprog.set(JAVA_SHORT, 0, (short) (program.length / 8));
            fprog.set(JAVA_LONG, 8, filter.address());
            call("seccomp", SYS_SECCOMP, Seccomp.SECCOMP_SET_MODE_FILTER, Seccomp.SECCOMP_FILTER_FLAG_TSYNC, fprog.address());
        }
    }
}
