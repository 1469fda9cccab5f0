package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.abi.linux.Signal;
import dev.jvisor.abi.linux.Sysno;
import dev.jvisor.sentry.kernel.Credentials;
import dev.jvisor.sentry.kernel.Kernel;
import dev.jvisor.sentry.kernel.Rlimits;
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
 * exit(2)/exit_group(2), wait4(2)/waitid(2), process groups and sessions, credentials,
 * prctl(2), arch_prctl(2), resource limits and usage, scheduling queries.
 */
final class SysProcess {
    private SysProcess() {}

    private static final int MAX_ARGS = 1 << 17;
    private static final int MAX_ARG_BYTES = 2 << 20;

    static void register(Registrar r) {
        r.full(Sysno.GETPID, "", (t, a) -> t.tgid());
        r.full(Sysno.GETTID, "", (t, a) -> t.tid());
        r.full(Sysno.GETPPID, "", (t, a) -> t.group().ppid());
        r.full(Sysno.FORK, "", (t, a) -> t.kernel().cloneProcess(t, Signal.SIGCHLD, 0, 0, 0, 0));
        r.full(Sysno.VFORK, "", (t, a) -> t.kernel().cloneProcess(t, Kernel.CLONE_VM | Kernel.CLONE_VFORK | Signal.SIGCHLD, 0, 0, 0, 0));
        r.partial(Sysno.CLONE, "xppps", "processes and threads; new namespaces are EPERM",
                (t, a) -> t.kernel().cloneProcess(t, a.arg(0), a.arg(1), a.arg(2), a.arg(3), a.arg(4)));
        r.full(Sysno.EXECVE, "spp", (t, a) -> execve(t, Paths.read(t, a.arg(0), false), a.arg(1), a.arg(2)));
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
        r.partial(Sysno.WAIT4, "dpxp", "rusage is zeroed", SysProcess::wait4);
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
        r.partial(Sysno.PRCTL, "dxxxx", "names, death signal, dumpable, no_new_privs, subreaper, capability queries", SysProcess::prctl);
        r.full(Sysno.ARCH_PRCTL, "xp", SysProcess::archPrctl);
        registerCredentials(r);
        r.full(Sysno.GETRLIMIT, "dp", (t, a) -> rlimit(t, 0, (int) a.arg(0), 0, a.arg(1)));
        r.full(Sysno.SETRLIMIT, "dp", (t, a) -> rlimit(t, 0, (int) a.arg(0), a.arg(1), 0));
        r.full(Sysno.PRLIMIT64, "ddpp", (t, a) -> rlimit(t, (int) a.arg(0), (int) a.arg(1), a.arg(2), a.arg(3)));
        r.partial(Sysno.GETRUSAGE, "dp", "CPU times of the application are not yet accounted", (t, a) -> {
            int who = (int) a.arg(0);
            if (who != 0 && who != -1 && who != 1) throw Errno.EINVAL.exception();
            t.mm().write(a.arg(1), new byte[144], 0, 144);
            return 0;
        });
        r.partial(Sysno.TIMES, "p", "CPU times of the application are not yet accounted", (t, a) -> {
            if (a.arg(0) != 0) t.mm().write(a.arg(0), new byte[32], 0, 32);
            return t.kernel().uptimeNanos() / 10_000_000L;
        });
        r.full(Sysno.SCHED_YIELD, "", (t, a) -> {
            Thread.yield();
            return 0;
        });
        r.full(Sysno.SCHED_GETAFFINITY, "ddp", (t, a) -> {
            if (a.arg(0) != 0) target(t, (int) a.arg(0));
            long size = a.arg(1);
            if (size < 8 || (size & 7) != 0) throw Errno.EINVAL.exception();
            int cpus = Runtime.getRuntime().availableProcessors();
            t.mm().writeLong(a.arg(2), cpus >= 64 ? -1L : (1L << cpus) - 1);
            return 8;
        });
        r.partial(Sysno.SCHED_SETAFFINITY, "ddp", "accepted; the Sentry schedules tasks itself", (t, a) -> {
            if (a.arg(0) != 0) target(t, (int) a.arg(0));
            t.mm().read(a.arg(2), (int) Math.min(Math.max(a.arg(1), 0), 128));
            return 0;
        });
        r.full(Sysno.SCHED_GETSCHEDULER, "d", (t, a) -> {
            if (a.arg(0) != 0) target(t, (int) a.arg(0));
            return 0; // SCHED_OTHER
        });
        r.full(Sysno.SCHED_GETPARAM, "dp", (t, a) -> {
            if (a.arg(0) != 0) target(t, (int) a.arg(0));
            t.mm().writeInt(a.arg(1), 0);
            return 0;
        });
        r.full(Sysno.SCHED_GET_PRIORITY_MAX, "d", (t, a) -> realtimePolicy(a.arg(0)) ? 99 : 0);
        r.full(Sysno.SCHED_GET_PRIORITY_MIN, "d", (t, a) -> realtimePolicy(a.arg(0)) ? 1 : 0);
        r.full(Sysno.GETCPU, "ppp", (t, a) -> {
            if (a.arg(0) != 0) t.mm().writeInt(a.arg(0), 0);
            if (a.arg(1) != 0) t.mm().writeInt(a.arg(1), 0);
            return 0;
        });
        r.partial(Sysno.GETPRIORITY, "dd", "every process has nice 0", (t, a) -> {
            priorityTarget(t, (int) a.arg(0), (int) a.arg(1));
            return 20; // 20 - nice, so that the value is never negative
        });
        r.partial(Sysno.SETPRIORITY, "ddd", "accepted, not applied", (t, a) -> {
            priorityTarget(t, (int) a.arg(0), (int) a.arg(1));
            return 0;
        });
        r.partial(Sysno.PERSONALITY, "x", "only PER_LINUX", (t, a) -> {
            long p = a.arg(0) & 0xffffffffL;
            if (p != 0xffffffffL && (p & 0xff) != 0) throw Errno.EINVAL.exception();
            return 0;
        });
        r.full(Sysno.SET_ROBUST_LIST, "pd", (t, a) -> {
            if (a.arg(1) != 24) throw Errno.EINVAL.exception();
            return 0;
        });
    }

    /** SCHED_FIFO and SCHED_RR; the other known policies have the single priority 0; unknown ones are EINVAL. */
    private static boolean realtimePolicy(long policy) {
        if (policy == 1 || policy == 2) return true;
        if (policy == 0 || policy == 3 || policy == 5 || policy == 6) return false;
        throw Errno.EINVAL.exception();
    }

    /** Checks getpriority/setpriority's which (PRIO_PROCESS, PRIO_PGRP, PRIO_USER) and who. */
    private static void priorityTarget(Task t, int which, int who) {
        switch (which) {
            case 0 -> target(t, who);
            case 1 -> {
                if (who != 0 && t.kernel().processGroup(who).isEmpty()) throw Errno.ESRCH.exception();
            }
            case 2 -> { }
            default -> throw Errno.EINVAL.exception();
        }
    }

    private static ThreadGroup target(Task t, int pid) {
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
        t.commitExec(img.as(), img.entry(), img.sp(), img.path(), img.argv(), img.envp());
        return 0;
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
        if (a.arg(3) != 0) t.mm().write(a.arg(3), new byte[144], 0, 144);
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
        if (a.arg(4) != 0) t.mm().write(a.arg(4), new byte[144], 0, 144);
        return 0;
    }

    private static long prctl(Task t, Registers a) {
        int option = (int) a.arg(0);
        long arg2 = a.arg(1);
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
            case 3 -> { return 1; }          // PR_GET_DUMPABLE
            case 4 -> {                       // PR_SET_DUMPABLE
                if (arg2 != 0 && arg2 != 1) throw Errno.EINVAL.exception();
                return 0;
            }
            case 7 -> { return 0; }           // PR_GET_KEEPCAPS
            case 8 -> { return 0; }           // PR_SET_KEEPCAPS
            case 23 -> {                      // PR_CAPBSET_READ
                if (arg2 < 0 || arg2 > 40) throw Errno.EINVAL.exception();
                return 1;
            }
            case 24 -> { return 0; }          // PR_CAPBSET_DROP
            case 36 -> { return 0; }          // PR_SET_CHILD_SUBREAPER
            case 37 -> {                      // PR_GET_CHILD_SUBREAPER
                t.mm().writeInt(arg2, 0);
                return 0;
            }
            case 38 -> {                      // PR_SET_NO_NEW_PRIVS
                if (arg2 != 1) throw Errno.EINVAL.exception();
                return 0;
            }
            case 39 -> { return 0; }          // PR_GET_NO_NEW_PRIVS
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

    private static long rlimit(Task t, int pid, int resource, long newAddr, long oldAddr) {
        if (resource < 0 || resource >= Rlimits.COUNT) throw Errno.EINVAL.exception();
        ThreadGroup g = target(t, pid);
        Rlimits rl = g.rlimits();
        if (oldAddr != 0) {
            t.mm().writeLong(oldAddr, rl.soft(resource));
            t.mm().writeLong(oldAddr + 8, rl.hard(resource));
        }
        if (newAddr != 0) {
            long soft = t.mm().readLong(newAddr), hard = t.mm().readLong(newAddr + 8);
            if (Long.compareUnsigned(soft, hard) > 0) throw Errno.EINVAL.exception();
            if (Long.compareUnsigned(hard, rl.hard(resource)) > 0 && !t.creds().hasCap(24 /* CAP_SYS_RESOURCE */)) {
                throw Errno.EPERM.exception();
            }
            if (resource == Rlimits.RLIMIT_NOFILE && Long.compareUnsigned(hard, 1 << 20) > 0) throw Errno.EPERM.exception();
            rl.set(resource, soft, hard);
            if (resource == Rlimits.RLIMIT_NOFILE && g == t.group()) t.fds().setLimit((int) Math.min(soft, 1 << 20));
        }
        return 0;
    }

    // ------------------------------------------------------------------ credentials

    private static void registerCredentials(Registrar r) {
        r.full(Sysno.GETUID, "", (t, a) -> t.creds().uid());
        r.full(Sysno.GETEUID, "", (t, a) -> t.creds().euid());
        r.full(Sysno.GETGID, "", (t, a) -> t.creds().gid());
        r.full(Sysno.GETEGID, "", (t, a) -> t.creds().egid());
        r.full(Sysno.GETRESUID, "ppp", (t, a) -> {
            Credentials c = t.creds();
            t.mm().writeInt(a.arg(0), c.uid());
            t.mm().writeInt(a.arg(1), c.euid());
            t.mm().writeInt(a.arg(2), c.suid());
            return 0;
        });
        r.full(Sysno.GETRESGID, "ppp", (t, a) -> {
            Credentials c = t.creds();
            t.mm().writeInt(a.arg(0), c.gid());
            t.mm().writeInt(a.arg(1), c.egid());
            t.mm().writeInt(a.arg(2), c.sgid());
            return 0;
        });
        r.full(Sysno.SETUID, "d", (t, a) -> {
            Credentials c = t.creds();
            int uid = (int) a.arg(0);
            if (uid < 0) throw Errno.EINVAL.exception();
            if (c.hasCap(Credentials.CAP_SETUID)) t.group().creds(c.withUids(uid, uid, uid));
            else if (uid == c.uid() || uid == c.suid()) t.group().creds(c.withUids(c.uid(), uid, c.suid()));
            else throw Errno.EPERM.exception();
            return 0;
        });
        r.full(Sysno.SETGID, "d", (t, a) -> {
            Credentials c = t.creds();
            int gid = (int) a.arg(0);
            if (gid < 0) throw Errno.EINVAL.exception();
            if (c.hasCap(Credentials.CAP_SETGID)) t.group().creds(c.withGids(gid, gid, gid));
            else if (gid == c.gid() || gid == c.sgid()) t.group().creds(c.withGids(c.gid(), gid, c.sgid()));
            else throw Errno.EPERM.exception();
            return 0;
        });
        r.full(Sysno.SETRESUID, "ddd", (t, a) -> setresuid(t, (int) a.arg(0), (int) a.arg(1), (int) a.arg(2)));
        r.full(Sysno.SETREUID, "dd", (t, a) -> {
            // The saved id follows a new effective id when the real id is set or the effective
            // id moves away from the real one (setreuid(2)).
            int ru = (int) a.arg(0), eu = (int) a.arg(1);
            Credentials c = t.creds();
            boolean saves = ru != -1 || (eu != -1 && eu != c.uid());
            return setresuid(t, ru, eu, saves ? (eu != -1 ? eu : c.euid()) : -1);
        });
        r.full(Sysno.SETRESGID, "ddd", (t, a) -> setresgid(t, (int) a.arg(0), (int) a.arg(1), (int) a.arg(2)));
        r.full(Sysno.SETREGID, "dd", (t, a) -> {
            int rg = (int) a.arg(0), eg = (int) a.arg(1);
            Credentials c = t.creds();
            boolean saves = rg != -1 || (eg != -1 && eg != c.gid());
            return setresgid(t, rg, eg, saves ? (eg != -1 ? eg : c.egid()) : -1);
        });
        // Both return the previous value whether or not the change was allowed, as Linux does.
        r.full(Sysno.SETFSUID, "d", (t, a) -> {
            Credentials c = t.creds();
            int id = (int) a.arg(0);
            if (id != -1 && (c.hasCap(Credentials.CAP_SETUID) || id == c.uid() || id == c.euid() || id == c.suid() || id == c.fsuid())) {
                t.group().creds(c.withFsuid(id));
            }
            return c.fsuid();
        });
        r.full(Sysno.SETFSGID, "d", (t, a) -> {
            Credentials c = t.creds();
            int id = (int) a.arg(0);
            if (id != -1 && (c.hasCap(Credentials.CAP_SETGID) || id == c.gid() || id == c.egid() || id == c.sgid() || id == c.fsgid())) {
                t.group().creds(c.withFsgid(id));
            }
            return c.fsgid();
        });
        r.full(Sysno.GETGROUPS, "dp", (t, a) -> {
            int[] g = t.creds().groups();
            int size = (int) a.arg(0);
            if (size < 0) throw Errno.EINVAL.exception();
            if (size == 0) return g.length;
            if (size < g.length) throw Errno.EINVAL.exception();
            for (int i = 0; i < g.length; i++) t.mm().writeInt(a.arg(1) + 4L * i, g[i]);
            return g.length;
        });
        r.full(Sysno.SETGROUPS, "dp", (t, a) -> {
            int size = (int) a.arg(0);
            if (size < 0 || size > 65536) throw Errno.EINVAL.exception();
            if (!t.creds().hasCap(Credentials.CAP_SETGID)) throw Errno.EPERM.exception();
            int[] g = new int[size];
            for (int i = 0; i < size; i++) g[i] = t.mm().readInt(a.arg(1) + 4L * i);
            t.group().creds(t.creds().withGroups(g));
            return 0;
        });
        r.partial(Sysno.CAPGET, "pp", "reports the task's effective set as permitted and effective", (t, a) -> {
            int version = t.mm().readInt(a.arg(0));
            if (version != 0x20080522 && version != 0x20071026 && version != 0x19980330) {
                t.mm().writeInt(a.arg(0), 0x20080522);
                throw Errno.EINVAL.exception();
            }
            if (a.arg(1) == 0) return 0;
            long caps = t.creds().capEffective();
            int words = version == 0x19980330 ? 1 : 2;
            for (int i = 0; i < words; i++) {
                int w = (int) (caps >>> (32 * i));
                t.mm().writeInt(a.arg(1) + 12L * i, w);
                t.mm().writeInt(a.arg(1) + 12L * i + 4, w);
                t.mm().writeInt(a.arg(1) + 12L * i + 8, 0);
            }
            return 0;
        });
        r.partial(Sysno.CAPSET, "pp", "accepted when it does not add capabilities; not applied", (t, a) -> {
            int version = t.mm().readInt(a.arg(0));
            if (version != 0x20080522 && version != 0x20071026 && version != 0x19980330) throw Errno.EINVAL.exception();
            long want = (t.mm().readInt(a.arg(1)) & 0xffffffffL) | ((long) t.mm().readInt(a.arg(1) + 12) << 32);
            if ((want & ~t.creds().capEffective()) != 0) throw Errno.EPERM.exception();
            return 0;
        });
    }

    private static long setresuid(Task t, int r, int e, int s) {
        Credentials c = t.creds();
        boolean priv = c.hasCap(Credentials.CAP_SETUID);
        for (int v : new int[] {r, e, s}) {
            if (v != -1 && !priv && v != c.uid() && v != c.euid() && v != c.suid()) throw Errno.EPERM.exception();
        }
        t.group().creds(c.withUids(r == -1 ? c.uid() : r, e == -1 ? c.euid() : e, s == -1 ? c.suid() : s));
        return 0;
    }

    private static long setresgid(Task t, int r, int e, int s) {
        Credentials c = t.creds();
        boolean priv = c.hasCap(Credentials.CAP_SETGID);
        for (int v : new int[] {r, e, s}) {
            if (v != -1 && !priv && v != c.gid() && v != c.egid() && v != c.sgid()) throw Errno.EPERM.exception();
        }
        t.group().creds(c.withGids(r == -1 ? c.gid() : r, e == -1 ? c.egid() : e, s == -1 ? c.sgid() : s));
        return 0;
    }
}
