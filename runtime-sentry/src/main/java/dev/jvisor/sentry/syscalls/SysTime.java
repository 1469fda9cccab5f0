package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.ErrnoException;
import dev.jvisor.abi.linux.Sysno;
import dev.jvisor.sentry.host.Host;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.Clock;

/**
 * Implements clock_gettime(2), clock_getres(2), gettimeofday(2), time(2), nanosleep(2),
 * clock_nanosleep(2) and restart_syscall(2). Time comes from the host clocks; a program that
 * reads them through the vDSO (platform.ptrace.HostVdso) reads the same clocks without trapping.
 */
final class SysTime {
    private SysTime() {}

    static final int CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2, CLOCK_THREAD_CPUTIME_ID = 3,
            CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5, CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7,
            CLOCK_REALTIME_ALARM = 8, CLOCK_BOOTTIME_ALARM = 9, CLOCK_TAI = 11;
    private static final int TIMER_ABSTIME = 1;

    static void register(Registrar r) {
        r.partial(Sysno.CLOCK_GETTIME, "dp", "CPU-time clocks of other processes are EINVAL", (t, a) -> {
            writeTimespec(t, a.arg(1), now(t, (int) a.arg(0)));
            return 0;
        });
        r.full(Sysno.CLOCK_GETRES, "dp", (t, a) -> {
            now(t, (int) a.arg(0));
            if (a.arg(1) != 0) {
                int c = (int) a.arg(0);
                writeTimespec(t, a.arg(1), c == CLOCK_REALTIME_COARSE || c == CLOCK_MONOTONIC_COARSE ? 4_000_000 : 1);
            }
            return 0;
        });
        r.full(Sysno.GETTIMEOFDAY, "pp", (t, a) -> {
            long ns = Clock.realtimeNanos();
            if (a.arg(0) != 0) {
                t.mm().writeLong(a.arg(0), ns / 1_000_000_000L);
                t.mm().writeLong(a.arg(0) + 8, (ns % 1_000_000_000L) / 1000);
            }
            if (a.arg(1) != 0) t.mm().writeLong(a.arg(1), 0);
            return 0;
        });
        r.full(Sysno.TIME, "p", (t, a) -> {
            long s = Clock.realtimeNanos() / 1_000_000_000L;
            if (a.arg(0) != 0) t.mm().writeLong(a.arg(0), s);
            return s;
        });
        r.full(Sysno.NANOSLEEP, "pp", (t, a) -> nanosleep(t, CLOCK_MONOTONIC, 0, a.arg(0), a.arg(1)));
        r.full(Sysno.CLOCK_NANOSLEEP, "dxpp", (t, a) -> {
            int clock = (int) a.arg(0);
            if (clock == CLOCK_THREAD_CPUTIME_ID) throw Errno.EINVAL.exception();
            if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC && clock != CLOCK_BOOTTIME && clock != CLOCK_TAI
                    && clock != CLOCK_PROCESS_CPUTIME_ID) throw Errno.EINVAL.exception();
            return nanosleep(t, clock, (int) a.arg(1), a.arg(2), a.arg(3));
        });
        r.full(Sysno.RESTART_SYSCALL, "", (t, a) -> t.runRestartBlock());
    }

    static long now(Task t, int clock) {
        return switch (clock) {
            // The host's clocks, the very ones a program reads through the vDSO without trapping
            // (platform.ptrace.HostVdso): mixing the two ways must never see time go back.
            // System.nanoTime is the host's CLOCK_MONOTONIC.
            case CLOCK_REALTIME, CLOCK_REALTIME_ALARM -> Clock.realtimeNanos();
            case CLOCK_MONOTONIC -> System.nanoTime();
            case CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_RAW, CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME, CLOCK_TAI -> Host.clockNanos(clock);
            case CLOCK_BOOTTIME_ALARM -> Host.clockNanos(CLOCK_BOOTTIME);
            case CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID -> t.cpuTimeNanos();
            default -> throw Errno.EINVAL.exception();
        };
    }

    static void writeTimespec(Task t, long addr, long ns) {
        t.mm().writeLong(addr, Math.floorDiv(ns, 1_000_000_000L));
        t.mm().writeLong(addr + 8, Math.floorMod(ns, 1_000_000_000L));
    }

    /** Reads a struct timespec; EINVAL for a negative or out-of-range value. */
    static long readTimespec(Task t, long addr) {
        long sec = t.mm().readLong(addr), nsec = t.mm().readLong(addr + 8);
        if (sec < 0 || nsec < 0 || nsec >= 1_000_000_000L) throw Errno.EINVAL.exception();
        if (sec > Long.MAX_VALUE / 1_000_000_000L - 1) return Long.MAX_VALUE / 2;
        return sec * 1_000_000_000L + nsec;
    }

    /** A System.nanoTime deadline from a relative timespec pointer; NULL means forever. */
    static long deadlineFromTimespec(Task t, long addr) {
        if (addr == 0) return Long.MAX_VALUE;
        long rel = readTimespec(t, addr);
        long now = System.nanoTime();
        return rel >= Long.MAX_VALUE / 2 ? Long.MAX_VALUE : now + rel;
    }

    private static long nanosleep(Task t, int clock, int flags, long reqAddr, long remAddr) {
        // Linux looks only at TIMER_ABSTIME and ignores any other flag bit.
        long req = readTimespec(t, reqAddr);
        long deadline;
        if ((flags & TIMER_ABSTIME) != 0) {
            long delta = req - now(t, clock);
            deadline = System.nanoTime() + Math.max(0, delta);
        } else {
            deadline = req >= Long.MAX_VALUE / 2 ? Long.MAX_VALUE : System.nanoTime() + req;
        }
        return sleepUntil(t, deadline, (flags & TIMER_ABSTIME) != 0, remAddr);
    }

    private static long sleepUntil(Task t, long deadline, boolean absolute, long remAddr) {
        while (true) {
            t.prepareSleep();
            if (System.nanoTime() >= deadline) return 0;
            try {
                if (!t.sleep(deadline)) return 0;
            } catch (ErrnoException e) {
                if (e.errno() != Errno.ERESTARTSYS) throw e;
                if (absolute) throw Errno.ERESTARTNOHAND.exception();
                long left = Math.max(0, deadline - System.nanoTime());
                if (remAddr != 0) writeTimespec(t, remAddr, left);
                t.restartBlock(() -> sleepUntil(t, deadline, false, remAddr));
                throw Errno.ERESTART_RESTARTBLOCK.exception();
            }
        }
    }
}
