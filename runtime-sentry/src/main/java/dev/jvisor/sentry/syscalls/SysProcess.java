package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.abi.linux.Signal;
import dev.jvisor.abi.linux.Sysno;
import dev.jvisor.sentry.kernel.Credentials;
import dev.jvisor.sentry.kernel.ExecCredentials;
import dev.jvisor.sentry.kernel.Kernel;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.TaskExit;
import dev.jvisor.sentry.kernel.ThreadGroup;
import dev.jvisor.sentry.loader.Loader;
import dev.jvisor.sentry.platform.Registers;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Predicate;

/**
 * Implements the process calls: getpid(2) family, fork(2)/vfork(2)/clone(2), execve(2),
 * exit(2)/exit_group(2), wait4(2)/waitid(2), process groups and sessions, prctl(2),
 * arch_prctl(2), resource usage, personality(2) and the robust futex list. Credentials,
 * capabilities and resource limits are {@link SysCredentials}'s; the scheduling calls are
 * {@link SysSched}'s.
 */
final class SysProcess {
    private SysProcess() {}

    private static final int MAX_ARGS = 1 << 17;
    private static final int MAX_ARG_BYTES = 2 << 20;

    /** {@code path} with each run of "/./" made one "/" (no regular expression: compiled per call, and classes loaded on the first). */
    static String withoutDotSegments(String path) {
        String p = path;
        while (p.contains("/./")) p = p.replace("/./", "/");
        return p;
    }

    static void register(Registrar r) {
        r.full(Sysno.GETPID, "", (t, a) -> t.tgid());
        r.full(Sysno.GETTID, "", (t, a) -> t.tid());
        r.full(Sysno.GETPPID, "", (t, a) -> t.group().ppid());
        r.full(Sysno.FORK, "", (t, a) -> t.kernel().cloneProcess(t, Signal.SIGCHLD, 0, 0, 0, 0));
        r.full(Sysno.VFORK, "", (t, a) -> t.kernel().cloneProcess(t, Kernel.CLONE_VM | Kernel.CLONE_VFORK | Signal.SIGCHLD, 0, 0, 0, 0));
        r.partial(Sysno.CLONE, "xppps", "processes and threads; new namespaces are EPERM",
                (t, a) -> t.kernel().cloneProcess(t, a.arg(0), a.arg(1), a.arg(2), a.arg(3), a.arg(4)));
        r.full(Sysno.EXECVE, "spp", (t, a) -> {
            String p = Paths.read(t, a.arg(0), false);
            // /proc/PID/exe names the program by its absolute path, however execve was given it.
            if (!p.startsWith("/")) p = withoutDotSegments(Paths.absolute(t, t.fs().cwd(), p));
            return execve(t, p, a.arg(1), a.arg(2));
        });
        r.partial(Sysno.EXECVEAT, "fsppx", "AT_EMPTY_PATH on an fd needs the path it was opened with", (t, a) -> {
            int dirfd = (int) a.arg(0), flags = (int) a.arg(4);
            if ((flags & ~(FileMode.AT_EMPTY_PATH | FileMode.AT_SYMLINK_NOFOLLOW)) != 0) throw Errno.EINVAL.exception();
            String p = Paths.read(t, a.arg(1), true);
            if (p.isEmpty()) {
                if ((flags & 0x1000) == 0) throw Errno.ENOENT.exception();
                p = t.fds().get(dirfd).path();
            } else if (!p.startsWith("/") && dirfd != -100) {
                p = Paths.absolute(t, Paths.base(t, dirfd, p), p);
            }
            return execve(t, p, a.arg(2), a.arg(3));
        });
        r.full(Sysno.EXIT, "d", (t, a) -> {
            t.exitThread((int) a.arg(0));
            return 0;
        });
        r.full(Sysno.EXIT_GROUP, "d", (t, a) -> {
            t.kernel().exitGroup(t.group(), Kernel.exitedStatus((int) a.arg(0)));
            throw TaskExit.INSTANCE;
        });
        r.partial(Sysno.WAIT4, "dpxp", "rusage carries the child's CPU time only", SysProcess::wait4);
        r.full(Sysno.WAITID, "ddpxp", SysProcess::waitid);
        r.full(Sysno.SET_TID_ADDRESS, "p", (t, a) -> {
            t.clearChildTid(a.arg(0));
            return t.tid();
        });
        r.full(Sysno.SETPGID, "dd", (t, a) -> {
            t.kernel().setpgid(t, (int) a.arg(0), (int) a.arg(1));
            return 0;
        });
        r.full(Sysno.GETPGID, "d", (t, a) -> target(t, (int) a.arg(0)).pgid());
        r.full(Sysno.GETPGRP, "", (t, a) -> t.group().pgid());
        r.full(Sysno.SETSID, "", (t, a) -> t.kernel().setsid(t));
        r.full(Sysno.GETSID, "d", (t, a) -> target(t, (int) a.arg(0)).sid());
        r.partial(Sysno.PRCTL, "dxxxx", "names, death signal, dumpable, subreaper; capabilities, securebits, keepcaps and no_new_privs in full", SysProcess::prctl);
        r.full(Sysno.ARCH_PRCTL, "xp", SysProcess::archPrctl);
        SysCredentials.register(r);
        String cpuNote = "user time is the application's CPU time; system time (the Sentry's) is reported as 0";
        r.partial(Sysno.GETRUSAGE, "dp", cpuNote, (t, a) -> {
            int who = (int) a.arg(0);
            long cpu = switch (who) {
                case 0 -> t.group().cpuNanos();                       // RUSAGE_SELF
                case -1 -> t.group().reapedChildrenCpuNanos();        // RUSAGE_CHILDREN
                case 1 -> t.cpuTimeNanos();                           // RUSAGE_THREAD
                default -> throw Errno.EINVAL.exception();
            };
            writeRusage(t, a.arg(1), cpu, who == -1 ? 0 : t.mm().residentBytes() / 1024);
            return 0;
        });
        r.partial(Sysno.TIMES, "p", cpuNote, (t, a) -> {
            if (a.arg(0) != 0) {
                // struct tms in clock ticks (USER_HZ = 100): utime, stime, cutime, cstime.
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(32).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                b.putLong(t.group().cpuNanos() / 10_000_000L).putLong(0)
                 .putLong(t.group().reapedChildrenCpuNanos() / 10_000_000L).putLong(0);
                t.mm().write(a.arg(0), b.array(), 0, 32);
            }
            return t.kernel().uptimeNanos() / 10_000_000L;
        });
        r.partial(Sysno.PERSONALITY, "x", "only PER_LINUX", (t, a) -> {
            long p = a.arg(0) & 0xffffffffL;
            if (p != 0xffffffffL && (p & 0xff) != 0) throw Errno.EINVAL.exception();
            return 0;
        });
        r.full(Sysno.SET_ROBUST_LIST, "pd", (t, a) -> {
            if (a.arg(1) != 24) throw Errno.EINVAL.exception();
            t.robustListHead(a.arg(0));
            return 0;
        });
        r.full(Sysno.GET_ROBUST_LIST, "dpp", (t, a) -> {
            Task target = t;
            if (a.arg(0) != 0) {
                target = t.kernel().task((int) a.arg(0));
                if (target == null) throw Errno.ESRCH.exception();
                // Another process's list is ptrace-level information.
                if (target.group() != t.group() && !t.creds().hasCap(Credentials.CAP_SYS_ADMIN)) throw Errno.EPERM.exception();
            }
            t.mm().writeLong(a.arg(1), target.robustListHead());
            t.mm().writeLong(a.arg(2), 24);
            return 0;
        });
    }

    /** The process {@code pid} names (0: the caller's); ESRCH when there is none. */
    static ThreadGroup target(Task t, int pid) {
        if (pid == 0) return t.group();
        ThreadGroup g = t.kernel().group(pid);
        if (g == null) throw Errno.ESRCH.exception();
        return g;
    }

    private static long execve(Task t, String path, long argvAddr, long envpAddr) {
        List<String> argv = t.mm().readStringArray(argvAddr, MAX_ARGS, MAX_ARG_BYTES);
        List<String> envp = t.mm().readStringArray(envpAddr, MAX_ARGS, MAX_ARG_BYTES);
        Loader.Image img = Loader.load(t, path, argv, envp);
        t.kernel().deThread(t);
        ExecCredentials.apply(t, img.path());
        t.commitExec(img.as(), img.entry(), img.sp(), img.path(), img.argv(), img.envp());
        return 0;
    }

    /** struct rusage: ru_utime and ru_stime (timevals), then fourteen longs from ru_maxrss (kB). */
    private static void writeRusage(Task t, long addr, long userNanos, long maxRssKb) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(144).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(userNanos / 1_000_000_000L).putLong((userNanos % 1_000_000_000L) / 1000).putLong(0).putLong(0);
        b.putLong(maxRssKb);
        t.mm().write(addr, b.array(), 0, 144);
    }

    private static Predicate<ThreadGroup> match(Task t, long pid) {
        int p = (int) pid;
        if (p < -1) return c -> c.pgid() == -p;
        if (p == -1) return c -> true;
        if (p == 0) {
            int pg = t.group().pgid();
            return c -> c.pgid() == pg;
        }
        return c -> c.tgid() == p;
    }

    private static long wait4(Task t, Registers a) {
        int options = (int) a.arg(2);
        if ((options & ~(Kernel.WNOHANG | Kernel.WUNTRACED | Kernel.WCONTINUED | 0x20000000 | 0x40000000 | 0x80000000)) != 0) {
            throw Errno.EINVAL.exception();
        }
        if (a.arg(1) != 0) t.mm().checkAccess(a.arg(1), 4, true);
        Kernel.WaitResult res = t.kernel().waitChild(t, match(t, a.arg(0)), (options & 0xff) | Kernel.WEXITED);
        if (res == null) return 0;
        if (a.arg(1) != 0) t.mm().writeInt(a.arg(1), res.status());
        if (a.arg(3) != 0) writeRusage(t, a.arg(3), res.cpuNanos(), 0);
        return res.pid();
    }

    private static long waitid(Task t, Registers a) {
        int idtype = (int) a.arg(0), options = (int) a.arg(3);
        long id = a.arg(1), infop = a.arg(2);
        if ((options & ~(Kernel.WNOHANG | Kernel.WUNTRACED | Kernel.WEXITED | Kernel.WCONTINUED | Kernel.WNOWAIT
                | 0x20000000 | 0x40000000 | 0x80000000)) != 0) throw Errno.EINVAL.exception();
        if ((options & (Kernel.WUNTRACED | Kernel.WEXITED | Kernel.WCONTINUED)) == 0) throw Errno.EINVAL.exception();
        Predicate<ThreadGroup> m = switch (idtype) {
            case 0 -> c -> true;                            // P_ALL
            case 1 -> {                                     // P_PID
                if ((int) id <= 0) throw Errno.EINVAL.exception();
                yield c -> c.tgid() == (int) id;
            }
            case 2 -> {                                     // P_PGID
                int pg = (int) id == 0 ? t.group().pgid() : (int) id;
                if (pg < 0) throw Errno.EINVAL.exception();
                yield c -> c.pgid() == pg;
            }
            default -> throw Errno.EINVAL.exception();
        };
        Kernel.WaitResult res = t.kernel().waitChild(t, m, options);
        ByteBuffer b = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        if (res != null) {
            b.putInt(0, Signal.SIGCHLD).putInt(8, res.code()).putInt(16, res.pid()).putInt(20, res.uid()).putInt(24, res.value());
        }
        if (infop != 0) t.mm().write(infop, b.array(), 0, 128);
        if (a.arg(4) != 0) writeRusage(t, a.arg(4), res == null ? 0 : res.cpuNanos(), 0);
        return 0;
    }

    private static long prctl(Task t, Registers a) {
        int option = (int) a.arg(0);
        long arg2 = a.arg(1);
        Long privilege = SysCredentials.prctl(t, option, a);
        if (privilege != null) return privilege;
        switch (option) {
            case 15 -> { // PR_SET_NAME
                byte[] raw = t.mm().read(arg2, 16);
                int n = 0;
                while (n < 15 && raw[n] != 0) n++;
                t.group().comm(new String(raw, 0, n, StandardCharsets.UTF_8));
                return 0;
            }
            case 16 -> { // PR_GET_NAME
                byte[] name = java.util.Arrays.copyOf(t.group().comm().getBytes(StandardCharsets.UTF_8), 16);
                name[15] = 0;
                t.mm().write(arg2, name, 0, 16);
                return 0;
            }
            case 1 -> { // PR_SET_PDEATHSIG
                if (arg2 < 0 || arg2 > Signal.NSIG) throw Errno.EINVAL.exception();
                return 0;
            }
            case 2 -> { // PR_GET_PDEATHSIG
                t.mm().writeInt(arg2, 0);
                return 0;
            }
            case 3 -> { return t.group().dumpable() ? 1 : 0; } // PR_GET_DUMPABLE
            case 4 -> {                       // PR_SET_DUMPABLE
                if (arg2 != 0 && arg2 != 1) throw Errno.EINVAL.exception();
                t.group().dumpable(arg2 == 1);
                return 0;
            }
            case 36 -> { return 0; }          // PR_SET_CHILD_SUBREAPER
            case 37 -> {                      // PR_GET_CHILD_SUBREAPER
                t.mm().writeInt(arg2, 0);
                return 0;
            }
            case 21 -> { return 0; }          // PR_GET_SECCOMP
            default -> throw Errno.EINVAL.exception();
        }
    }

    private static long archPrctl(Task t, Registers a) {
        int code = (int) a.arg(0);
        long addr = a.arg(1);
        switch (code) {
            case 0x1002 -> { // ARCH_SET_FS
                if (addr < 0 || addr >= 0x7fff_ffff_f000L) throw Errno.EPERM.exception();
                t.regs().fsBase(addr);
                return 0;
            }
            case 0x1001 -> { // ARCH_SET_GS
                if (addr < 0 || addr >= 0x7fff_ffff_f000L) throw Errno.EPERM.exception();
                t.regs().gsBase(addr);
                return 0;
            }
            case 0x1003 -> { // ARCH_GET_FS
                t.mm().writeLong(addr, t.regs().fsBase());
                return 0;
            }
            case 0x1004 -> { // ARCH_GET_GS
                t.mm().writeLong(addr, t.regs().gsBase());
                return 0;
            }
            case 0x1011 -> { return 1; } // ARCH_GET_CPUID: cpuid is enabled
            default -> throw Errno.EINVAL.exception();
        }
    }
}
