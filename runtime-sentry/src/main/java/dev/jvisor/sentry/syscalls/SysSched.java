package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.Sysno;
import dev.jvisor.sentry.kernel.Credentials;
import dev.jvisor.sentry.kernel.Task;

/**
 * Implements the scheduling calls: sched_yield(2), sched_getaffinity(2)/sched_setaffinity,
 * sched_getscheduler(2)/sched_setscheduler, sched_getparam/sched_setparam,
 * sched_get_priority_max/min, sched_rr_get_interval(2), getcpu(2), getpriority(2)/setpriority
 * and ioprio_get(2)/ioprio_set. The Sentry leaves scheduling to the host, so these record and
 * check what programs ask for and report it back consistently.
 */
final class SysSched {
    private SysSched() {}

    static void register(Registrar r) {
        r.full(Sysno.SCHED_YIELD, "", (t, a) -> {
            Thread.yield();
            return 0;
        });
        r.full(Sysno.SCHED_GETAFFINITY, "ddp", (t, a) -> {
            if (a.arg(0) != 0) SysProcess.target(t, (int) a.arg(0));
            long size = a.arg(1);
            if (size < 8 || (size & 7) != 0) throw Errno.EINVAL.exception();
            int cpus = Runtime.getRuntime().availableProcessors();
            t.mm().writeLong(a.arg(2), cpus >= 64 ? -1L : (1L << cpus) - 1);
            return 8;
        });
        r.partial(Sysno.SCHED_SETAFFINITY, "ddp", "accepted; the Sentry schedules tasks itself", (t, a) -> {
            if (a.arg(0) != 0) SysProcess.target(t, (int) a.arg(0));
            t.mm().read(a.arg(2), (int) Math.min(Math.max(a.arg(1), 0), 128));
            return 0;
        });
        r.full(Sysno.SCHED_GETSCHEDULER, "d", (t, a) -> schedTarget(t, a.arg(0)).schedPolicy());
        String schedNote = "SCHED_OTHER, SCHED_BATCH and SCHED_IDLE are recorded; real-time policies are EPERM (the Sentry schedules tasks itself)";
        r.partial(Sysno.SCHED_SETSCHEDULER, "ddp", schedNote, (t, a) -> {
            Task target = schedTarget(t, a.arg(0));
            int policy = (int) a.arg(1) & ~SCHED_RESET_ON_FORK;
            int priority = t.mm().readInt(a.arg(2));
            checkSchedPriority(policy, priority);
            if (realtimePolicy(policy)) throw Errno.EPERM.exception();
            target.schedPolicy(policy);
            return 0;
        });
        r.partial(Sysno.SCHED_SETPARAM, "dp", schedNote, (t, a) -> {
            Task target = schedTarget(t, a.arg(0));
            checkSchedPriority(target.schedPolicy(), t.mm().readInt(a.arg(1)));
            return 0;
        });
        String ioNote = "recorded per thread (IOPRIO_WHO_PROCESS); the Sentry does not order I/O by it; PGRP and USER act on the caller";
        r.partial(Sysno.IOPRIO_GET, "dd", ioNote, (t, a) -> ioprioTarget(t, (int) a.arg(0), (int) a.arg(1)).ioPriority());
        r.partial(Sysno.IOPRIO_SET, "ddx", ioNote, (t, a) -> {
            Task target = ioprioTarget(t, (int) a.arg(0), (int) a.arg(1));
            // include/uapi/linux/ioprio.h: class in bits 13-15, a hint in bits 3-12, the level in bits 0-2.
            int value = (int) a.arg(2), cls = (value >>> 13) & 7, hint = (value >>> 3) & 0x3ff, level = value & 7;
            boolean ok = switch (cls) {
                case 0 -> level == 0;      // IOPRIO_CLASS_NONE carries no level
                case 1, 2 -> hint <= 7;    // RT, BE: eight levels, duration-limit hints 1-7
                case 3 -> true;            // IDLE ignores the rest
                default -> false;
            };
            if (!ok) throw Errno.EINVAL.exception();
            if (cls == 1 && !t.creds().hasCap(Credentials.CAP_SYS_ADMIN)) throw Errno.EPERM.exception();
            target.ioPriority(value);
            return 0;
        });
        r.full(Sysno.SCHED_RR_GET_INTERVAL, "dp", (t, a) -> {
            schedTarget(t, a.arg(0));
            SysTime.writeTimespec(t, a.arg(1), RR_TIMESLICE_NANOS);
            return 0;
        });
        r.full(Sysno.SCHED_GETPARAM, "dp", (t, a) -> {
            if (a.arg(0) != 0) SysProcess.target(t, (int) a.arg(0));
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
    }

    private static final int SCHED_RESET_ON_FORK = 0x40000000;
    /** RR_TIMESLICE: the round-robin quantum Linux reports, 100 ms. */
    private static final long RR_TIMESLICE_NANOS = 100_000_000L;

    /** The thread a sched_* call names: 0 is the caller; EINVAL for a negative id, ESRCH for a missing one. */
    private static Task schedTarget(Task t, long pid) {
        if ((int) pid < 0) throw Errno.EINVAL.exception();
        if (pid == 0) return t;
        Task target = t.kernel().task((int) pid);
        if (target == null) throw Errno.ESRCH.exception();
        return target;
    }

    /** ioprio_get/ioprio_set's which and who: IOPRIO_WHO_PROCESS 1, IOPRIO_WHO_PGRP 2, IOPRIO_WHO_USER 3. */
    private static Task ioprioTarget(Task t, int which, int who) {
        return switch (which) {
            case 1 -> schedTarget(t, who);
            case 2 -> {
                if (who != 0 && t.kernel().processGroup(who).isEmpty()) throw Errno.ESRCH.exception();
                yield t;
            }
            case 3 -> t;
            default -> throw Errno.EINVAL.exception();
        };
    }

    /** A real-time policy takes priorities 1..99, the others only 0 (sched_setscheduler(2)). */
    private static void checkSchedPriority(int policy, int priority) {
        boolean realtime = realtimePolicy(policy);
        if (realtime ? priority < 1 || priority > 99 : priority != 0) throw Errno.EINVAL.exception();
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
            case 0 -> SysProcess.target(t, who);
            case 1 -> {
                if (who != 0 && t.kernel().processGroup(who).isEmpty()) throw Errno.ESRCH.exception();
            }
            case 2 -> { }
            default -> throw Errno.EINVAL.exception();
        }
    }
}
