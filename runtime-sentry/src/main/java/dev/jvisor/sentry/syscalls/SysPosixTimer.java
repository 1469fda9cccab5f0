package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.Signal;
import dev.jvisor.abi.linux.Sysno;
import dev.jvisor.sentry.kernel.PosixTimers;
import dev.jvisor.sentry.kernel.PosixTimers.Notification;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.platform.Registers;

/**
 * Implements timer_create(2), timer_settime(2), timer_gettime(2), timer_getoverrun(2) and
 * timer_delete(2) over the process's {@link PosixTimers}.
 */
final class SysPosixTimer {
    private SysPosixTimer() {}

    private static final int TIMER_ABSTIME = 1;
    /** struct sigevent: sigev_value at 0, sigev_signo at 8, sigev_notify at 12, _tid at 16. */
    private static final int SIGEVENT_SIZE = 64;

    static void register(Registrar r) {
        String note = "CLOCK_REALTIME, CLOCK_MONOTONIC and CLOCK_BOOTTIME; CPU-time clocks are EINVAL";
        r.partial(Sysno.TIMER_CREATE, "dpp", note, SysPosixTimer::create);
        r.full(Sysno.TIMER_SETTIME, "dxpp", SysPosixTimer::settime);
        r.full(Sysno.TIMER_GETTIME, "dp", (t, a) -> {
            writeItimerspec(t, a.arg(1), t.group().posixTimers().get(timerId(a.arg(0))));
            return 0;
        });
        r.full(Sysno.TIMER_GETOVERRUN, "d", (t, a) -> t.group().posixTimers().overrun(timerId(a.arg(0))));
        r.full(Sysno.TIMER_DELETE, "d", (t, a) -> {
            t.group().posixTimers().delete(timerId(a.arg(0)));
            return 0;
        });
    }

    /** The kernel's timer_t is an int; anything else cannot name a timer. */
    private static int timerId(long raw) {
        if (raw < 0 || raw > Integer.MAX_VALUE) throw Errno.EINVAL.exception();
        return (int) raw;
    }

    private static long create(Task t, Registers a) {
        int clock = (int) a.arg(0);
        if (clock != SysTime.CLOCK_REALTIME && clock != SysTime.CLOCK_MONOTONIC && clock != SysTime.CLOCK_BOOTTIME) {
            throw Errno.EINVAL.exception();
        }
        long sevp = a.arg(1), idAddr = a.arg(2);
        t.mm().checkAccess(idAddr, 4, true);
        PosixTimers timers = t.group().posixTimers();
        Notification how;
        if (sevp == 0) {
            how = null; // the default: SIGALRM carrying the timer's id
        } else {
            byte[] raw = t.mm().read(sevp, SIGEVENT_SIZE);
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(raw).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            long value = b.getLong(0);
            int signo = b.getInt(8), notify = b.getInt(12), tid = b.getInt(16);
            Task target = null;
            switch (notify) {
                case PosixTimers.SIGEV_NONE -> { }
                case PosixTimers.SIGEV_SIGNAL -> checkSignal(signo);
                case PosixTimers.SIGEV_THREAD_ID -> {
                    checkSignal(signo);
                    target = t.kernel().task(tid);
                    // The thread must belong to the calling process (Linux: good_sigevent).
                    if (target == null || target.group() != t.group()) throw Errno.EINVAL.exception();
                }
                default -> throw Errno.EINVAL.exception();
            }
            how = new Notification(notify, signo, value, target);
        }
        int id = timers.create(clock, how);
        try {
            t.mm().writeInt(idAddr, id);
        } catch (RuntimeException e) {
            timers.delete(id);
            throw e;
        }
        return 0;
    }

    private static void checkSignal(int signo) {
        if (signo < 1 || signo > Signal.NSIG) throw Errno.EINVAL.exception();
    }

    private static long settime(Task t, Registers a) {
        int id = timerId(a.arg(0));
        int flags = (int) a.arg(1);
        if (a.arg(2) == 0) throw Errno.EINVAL.exception();
        long interval = SysTime.readTimespec(t, a.arg(2));
        long value = SysTime.readTimespec(t, a.arg(2) + 16);
        PosixTimers timers = t.group().posixTimers();
        timers.get(id); // EINVAL for an unknown id before anything changes
        if ((flags & TIMER_ABSTIME) != 0 && value != 0) {
            // An absolute time already past fires at once.
            value = Math.max(1, value - SysTime.now(t, timers.clock(id)));
        }
        long[] old = timers.set(id, value, interval);
        if (a.arg(3) != 0) writeItimerspec(t, a.arg(3), old);
        return 0;
    }

    /** struct itimerspec: it_interval, then it_value. */
    private static void writeItimerspec(Task t, long addr, long[] v) {
        SysTime.writeTimespec(t, addr, v[1]);
        SysTime.writeTimespec(t, addr + 16, v[0]);
    }
}
