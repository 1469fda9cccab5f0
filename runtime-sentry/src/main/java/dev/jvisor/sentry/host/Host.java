package dev.jvisor.sentry.host;

import dev.jvisor.hostcall.RawSyscall;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Typed host calls. Each either returns its result or throws {@link HostException} naming the
 * call; none retries on EINTR except where noted, because the Sentry blocks no host signal it
 * does not expect.
 */
public final class Host {
    private Host() {}

    // Host syscall numbers used directly (x86-64), from asm/unistd_64.h.
    private static final int SYS_READ = 0, SYS_WRITE = 1, SYS_CLOSE = 3, SYS_POLL = 7, SYS_MMAP = 9,
            SYS_MUNMAP = 11, SYS_PREAD64 = 17, SYS_GETPID = 39, SYS_KILL = 62, SYS_WAIT4 = 61,
            SYS_FTRUNCATE = 77, SYS_PTRACE = 101, SYS_PRCTL = 157, SYS_GETTID = 186, SYS_TGKILL = 234,
            SYS_FALLOCATE = 285, SYS_LSEEK = 8, SYS_IOCTL = 16, SYS_PIPE2 = 293, SYS_MEMFD_CREATE = 319, SYS_DUP3 = 292, SYS_FCNTL = 72,
            SYS_GETRANDOM = 318, SYS_SPLICE = 275, SYS_PIDFD_OPEN = 434, SYS_PIDFD_GETFD = 438, SYS_FSTATFS = 138,
            SYS_CLOCK_GETTIME = 228;

    // ptrace requests, from include/uapi/linux/ptrace.h and arch/x86/include/uapi/asm/ptrace-abi.h.
    public static final int PTRACE_PEEKDATA = 2, PTRACE_CONT = 7, PTRACE_KILL = 8, PTRACE_GETREGS = 12, PTRACE_SETREGS = 13,
            PTRACE_GETFPREGS = 14, PTRACE_SETFPREGS = 15, PTRACE_SETOPTIONS = 0x4200,
            PTRACE_GETSIGINFO = 0x4202, PTRACE_SYSEMU = 31;
    public static final int PTRACE_O_TRACESYSGOOD = 1, PTRACE_O_EXITKILL = 1 << 20;

    /** Raw syscall: returns the result, or throws naming {@code call}. */
    static long syscall(String call, long nr, long a0, long a1, long a2, long a3, long a4, long a5) {
        long r = RawSyscall.call(nr, a0, a1, a2, a3, a4, a5);
        if (RawSyscall.failed(r)) throw new HostException(call, RawSyscall.errno(r));
        return r;
    }

    private static long syscall(String call, long nr, long a0, long a1, long a2, long a3) {
        return syscall(call, nr, a0, a1, a2, a3, 0, 0);
    }

    /**
     * Fills {@code len} bytes of {@code b} from the host kernel's random pool (getrandom(2),
     * blocking only until the pool is first initialised, as /dev/urandom's readers expect).
     */
    public static void random(byte[] b, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.max(1, len));
            long done = 0;
            while (done < len) {
                try {
                    done += syscall("getrandom", SYS_GETRANDOM, buf.address() + done, len - done, 0, 0);
                } catch (HostException e) {
                    if (e.errno() != 4) throw e; // EINTR: try again
                }
            }
            MemorySegment.copy(buf, JAVA_BYTE_LAYOUT, 0, b, off, len);
        }
    }

    // ---- ptrace ----

    public static void ptrace(String what, int request, int pid, long addr, long data) {
        syscall(what, SYS_PTRACE, request, pid, addr, data);
    }

    private static final ThreadLocal<MemorySegment> WORD = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(JAVA_LONG));

    /** ptrace(PTRACE_PEEKDATA): the word at {@code addr} in tracee {@code pid}. */
    public static long peekData(int pid, long addr) {
        MemorySegment word = WORD.get();
        // The raw call stores the word at its data argument (only libc's wrapper returns it).
        syscall("ptrace(PTRACE_PEEKDATA)", SYS_PTRACE, PTRACE_PEEKDATA, pid, addr, word.address());
        return word.get(JAVA_LONG, 0);
    }

    /** clock_gettime(2) of the host clock {@code clock}, in nanoseconds. */
    public static long clockNanos(int clock) {
        MemorySegment ts = TIMESPEC.get();
        syscall("clock_gettime", SYS_CLOCK_GETTIME, clock, ts.address(), 0, 0);
        return ts.get(JAVA_LONG, 0) * 1_000_000_000L + ts.get(JAVA_LONG, 8);
    }

    private static final ThreadLocal<MemorySegment> TIMESPEC = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(16, 8));

    public static void getRegs(int pid, MemorySegment regs) {
        syscall("ptrace(PTRACE_GETREGS)", SYS_PTRACE, PTRACE_GETREGS, pid, 0, regs.address());
    }

    public static void setRegs(int pid, MemorySegment regs) {
        syscall("ptrace(PTRACE_SETREGS)", SYS_PTRACE, PTRACE_SETREGS, pid, 0, regs.address());
    }

    public static void getFpRegs(int pid, MemorySegment fpregs) {
        syscall("ptrace(PTRACE_GETFPREGS)", SYS_PTRACE, PTRACE_GETFPREGS, pid, 0, fpregs.address());
    }

    public static void setFpRegs(int pid, MemorySegment fpregs) {
        syscall("ptrace(PTRACE_SETFPREGS)", SYS_PTRACE, PTRACE_SETFPREGS, pid, 0, fpregs.address());
    }

    public static void getSigInfo(int pid, MemorySegment siginfo) {
        syscall("ptrace(PTRACE_GETSIGINFO)", SYS_PTRACE, PTRACE_GETSIGINFO, pid, 0, siginfo.address());
    }

    /** Resumes with PTRACE_SYSEMU: the next syscall stops before the host executes it, and is skipped. */
    public static void sysemu(int pid, int signal) {
        syscall("ptrace(PTRACE_SYSEMU)", SYS_PTRACE, PTRACE_SYSEMU, pid, 0, signal);
    }

    public static void cont(int pid, int signal) {
        syscall("ptrace(PTRACE_CONT)", SYS_PTRACE, PTRACE_CONT, pid, 0, signal);
    }

    public static void setOptions(int pid, int options) {
        syscall("ptrace(PTRACE_SETOPTIONS)", SYS_PTRACE, PTRACE_SETOPTIONS, pid, 0, options);
    }

    // ---- processes ----

    private static final ThreadLocal<MemorySegment> STATUS = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(JAVA_INT));

    /** wait4(pid, &status, options, NULL); returns the wait status. Retries on EINTR. */
    public static int wait4(int pid, int options) {
        MemorySegment status = STATUS.get();
        while (true) {
            try {
                syscall("wait4", SYS_WAIT4, pid, status.address(), options, 0);
                return status.get(JAVA_INT, 0);
            } catch (HostException e) {
                if (e.errno() != 4) throw e;
            }
        }
    }

    /** {@code pidfd_open(pid, 0)}: a descriptor for process {@code pid}, close-on-exec. */
    public static int pidfdOpen(int pid) {
        return (int) syscall("pidfd_open", SYS_PIDFD_OPEN, pid, 0, 0, 0);
    }

    /**
     * {@code pidfd_getfd(pidfd, fd, 0)}: a close-on-exec copy of descriptor {@code fd} of the process
     * {@code pidfd} names (the caller must be allowed to ptrace it: its parent, as root or with the
     * same credentials).
     */
    public static int pidfdGetfd(int pidfd, int fd) {
        return (int) syscall("pidfd_getfd", SYS_PIDFD_GETFD, pidfd, fd, 0, 0);
    }

    /** wait4 that returns -1 instead of blocking or failing when nothing is there (WNOHANG callers). */
    public static int wait4NoHang(int pid, int options, int[] statusOut) {
        MemorySegment status = STATUS.get();
        try {
            long r = syscall("wait4", SYS_WAIT4, pid, status.address(), options, 0);
            statusOut[0] = status.get(JAVA_INT, 0);
            return (int) r;
        } catch (HostException e) {
            return -1;
        }
    }

    public static void kill(int pid, int signal) {
        syscall("kill", SYS_KILL, pid, signal, 0, 0);
    }

    public static void tgkill(int tgid, int tid, int signal) {
        syscall("tgkill", SYS_TGKILL, tgid, tid, signal, 0);
    }

    public static int gettid() {
        return (int) syscall("gettid", SYS_GETTID, 0, 0, 0, 0);
    }

    public static int getpid() {
        return (int) syscall("getpid", SYS_GETPID, 0, 0, 0, 0);
    }

    /** sched_setaffinity(tid, mask of one CPU). */
    public static void pinToCpu(int tid, int cpu) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(128);
            mask.set(java.lang.foreign.ValueLayout.JAVA_LONG, (cpu / 64) * 8L, 1L << (cpu % 64));
            syscall("sched_setaffinity", 203, tid, 128, mask.address(), 0);
        }
    }

    public static void prctl(int option, long arg2) {
        syscall("prctl", SYS_PRCTL, option, arg2, 0, 0);
    }

    /**
     * posix_spawn(path, argv, envp={}) from the calling OS thread: the child's real parent is
     * this thread, which is what lets it PTRACE_TRACEME to it. {@code dups} pairs are
     * {from, to}; every fd at or above {@code closeFrom} is closed in the child; signals are
     * unblocked and reset to default.
     */
    public static int posixSpawn(String path, String[] argv, int[][] dups, int closeFrom) {
        try (Arena arena = Arena.ofConfined()) {
            long fa = arena.allocate(Libc.FILE_ACTIONS_SIZE, 16).address();
            long attr = arena.allocate(Libc.SPAWNATTR_SIZE, 16).address();
            check("posix_spawn_file_actions_init", Libc.call(Libc.FILE_ACTIONS_INIT, fa));
            check("posix_spawnattr_init", Libc.call(Libc.SPAWNATTR_INIT, attr));
            try {
                for (int[] d : dups) {
                    check("posix_spawn_file_actions_adddup2", Libc.call(Libc.FILE_ACTIONS_ADDDUP2, fa, d[0], d[1]));
                }
                check("posix_spawn_file_actions_addclosefrom_np", Libc.call(Libc.FILE_ACTIONS_ADDCLOSEFROM, fa, closeFrom));
                MemorySegment emptySet = arena.allocate(128); // sigset_t, all clear
                MemorySegment fullSet = arena.allocate(128).fill((byte) 0xff);
                check("posix_spawnattr_setsigmask", Libc.call(Libc.SPAWNATTR_SETSIGMASK, attr, emptySet.address()));
                check("posix_spawnattr_setsigdefault", Libc.call(Libc.SPAWNATTR_SETSIGDEFAULT, attr, fullSet.address()));
                // POSIX_SPAWN_SETSIGMASK (0x08) | POSIX_SPAWN_SETSIGDEF (0x04), from spawn.h
                check("posix_spawnattr_setflags", Libc.call(Libc.SPAWNATTR_SETFLAGS, attr, 0x0c));
                MemorySegment cpath = arena.allocateFrom(path, StandardCharsets.UTF_8);
                MemorySegment cargv = arena.allocate(ADDRESS, argv.length + 1L);
                for (int i = 0; i < argv.length; i++) {
                    cargv.setAtIndex(ADDRESS, i, arena.allocateFrom(argv[i], StandardCharsets.UTF_8));
                }
                MemorySegment cenv = arena.allocate(ADDRESS, 1);
                MemorySegment pid = arena.allocate(JAVA_INT);
                check("posix_spawn(" + path + ")", Libc.call(Libc.POSIX_SPAWN, pid.address(), cpath.address(), fa, attr,
                        cargv.address(), cenv.address()));
                return pid.get(JAVA_INT, 0);
            } finally {
                Libc.call(Libc.FILE_ACTIONS_DESTROY, fa);
                Libc.call(Libc.SPAWNATTR_DESTROY, attr);
            }
        }
    }

    private static void check(String call, int rc) {
        if (rc != 0) throw new HostException(call, rc);
    }

    // ---- memory and files ----

    public static int memfdCreate(String name, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) syscall("memfd_create", SYS_MEMFD_CREATE, arena.allocateFrom(name).address(), flags, 0, 0);
        }
    }

    public static void ftruncate(int fd, long length) {
        syscall("ftruncate", SYS_FTRUNCATE, fd, length, 0, 0);
    }

    public static long mmap(long addr, long length, int prot, int flags, int fd, long offset) {
        return syscall("mmap", SYS_MMAP, addr, length, prot, flags, fd, offset);
    }

    /** The f_flags of fstatfs(2) on {@code fd}: ST_RDONLY, ST_NOEXEC... (struct statfs, offset 80 on x86-64). */
    public static long fstatfsFlags(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(120, 8);
            syscall("fstatfs", SYS_FSTATFS, fd, buf.address(), 0, 0);
            return buf.get(JAVA_LONG, 80);
        }
    }

    public static void munmap(long addr, long length) {
        syscall("munmap", SYS_MUNMAP, addr, length, 0, 0);
    }

    public static void fallocate(int fd, int mode, long offset, long length) {
        syscall("fallocate", SYS_FALLOCATE, fd, mode, offset, length);
    }

    public static long write(int fd, MemorySegment buf, long length) {
        return syscall("write", SYS_WRITE, fd, buf.address(), length, 0);
    }

    public static long read(int fd, MemorySegment buf, long length) {
        return syscall("read", SYS_READ, fd, buf.address(), length, 0);
    }

    public static long pread(int fd, MemorySegment buf, long length, long offset) {
        return syscall("pread64", SYS_PREAD64, fd, buf.address(), length, offset);
    }

    /** lseek(2); SEEK_DATA/SEEK_HOLE past the data answer -1 instead of failing with ENXIO. */
    public static long lseek(int fd, long offset, int whence) {
        try {
            return syscall("lseek", SYS_LSEEK, fd, offset, whence, 0);
        } catch (HostException e) {
            if (e.errno() == 6) return -1; // ENXIO
            throw e;
        }
    }

    /** ioctl(fd, request, arg) with a buffer argument; returns the result. */
    public static long ioctl(int fd, long request, MemorySegment arg) {
        return syscall("ioctl", SYS_IOCTL, fd, request, arg.address(), 0);
    }

    public static void close(int fd) {
        syscall("close", SYS_CLOSE, fd, 0, 0, 0);
    }

    public static int fcntl(int fd, int cmd, long arg) {
        return (int) syscall("fcntl", SYS_FCNTL, fd, cmd, arg, 0);
    }

    public static void dup3(int from, int to, int flags) {
        syscall("dup3", SYS_DUP3, from, to, flags, 0);
    }

    /**
     * splice(2) of up to {@code length} bytes from {@code in} to {@code out}; {@code inOffset} and
     * {@code outOffset} are addresses of loff_t the kernel advances, or 0 for a pipe end. Returns
     * the bytes moved, 0 at the end of the input.
     */
    public static long splice(int in, long inOffset, int out, long outOffset, long length, int flags) {
        return syscall("splice", SYS_SPLICE, in, inOffset, out, outOffset, length, flags);
    }

    /** pipe2(flags): returns {read end, write end}. */
    public static int[] pipe2(int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            syscall("pipe2", SYS_PIPE2, fds.address(), flags, 0, 0);
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        }
    }

    private static final ThreadLocal<MemorySegment> POLLFD = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(8, 8));

    /** poll one fd; returns its revents (0 on timeout). EINTR reads as a timeout. */
    public static int poll(int fd, int events, int timeoutMillis) {
        MemorySegment p = POLLFD.get();
        p.set(JAVA_INT, 0, fd);
        p.set(JAVA_SHORT, 4, (short) events);
        p.set(JAVA_SHORT, 6, (short) 0);
        try {
            long n = syscall("poll", SYS_POLL, p.address(), 1, timeoutMillis, 0);
            return n == 0 ? 0 : p.get(JAVA_SHORT, 6) & 0xffff;
        } catch (HostException e) {
            if (e.errno() == 4) return 0;
            throw e;
        }
    }

    /** Writes all of {@code data} to a host fd (used for the sandbox's stdio). */
    public static void writeFully(int fd, byte[] data, int off, int len) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.max(1, len));
            MemorySegment.copy(data, off, buf, JAVA_BYTE_LAYOUT, 0, len);
            long done = 0;
            while (done < len) {
                try {
                    done += write(fd, buf.asSlice(done), len - done);
                } catch (HostException e) {
                    if (e.errno() != 4) throw e;
                }
            }
        }
    }

    private static final java.lang.foreign.ValueLayout.OfByte JAVA_BYTE_LAYOUT = java.lang.foreign.ValueLayout.JAVA_BYTE;
}
