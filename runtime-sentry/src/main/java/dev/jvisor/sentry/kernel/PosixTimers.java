package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.Signal;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A process's POSIX per-process timers (timer_create(2) and friends). Each timer counts down
 * on the kernel's timer service; on expiry it queues its signal to the process
 * (SIGEV_SIGNAL), to one of its threads (SIGEV_THREAD_ID) or to nobody (SIGEV_NONE), and
 * re-arms by its interval.
 *
 * <p>A timer has at most one signal queued: expiries while it is still pending are counted as
 * overruns, and the count is stamped into the siginfo when the signal is taken, as Linux does,
 * so timer_getoverrun(2) after delivery reports how many expiries the signal stood for.
 */
public final class PosixTimers {
    /** sigev_notify values, a Notification's kind (include/uapi/asm-generic/siginfo.h). */
    public static final int SIGEV_SIGNAL = 0, SIGEV_NONE = 1, SIGEV_THREAD = 2, SIGEV_THREAD_ID = 4;
    /** Linux caps the overrun count at DELAYTIMER_MAX (INT_MAX). */
    private static final int DELAYTIMER_MAX = Integer.MAX_VALUE;
    /** Like Linux's per-process limit from RLIMIT_SIGPENDING, but fixed. */
    private static final int MAX_TIMERS = 4096;

    private final ThreadGroup group;
    private final Map<Integer, Timer> timers = new HashMap<>();
    private int nextId;

    PosixTimers(ThreadGroup group) {
        this.group = group;
    }

    /** How a timer notifies; {@code target} is the thread for SIGEV_THREAD_ID. */
    public record Notification(int kind, int signo, long value, Task target) {}

    /** One timer. Its monitor guards its state; it never takes another lock while held. */
    private final class Timer {
        final int id;
        final int clock;
        final Notification how;
        ScheduledFuture<?> future;
        long deadlineNanos;
        long intervalNanos;
        boolean armed;
        /** The signal this timer has queued and that is not taken yet, or null. */
        SigInfo queued;
        int overrunSinceQueued;
        int lastOverrun;

        Timer(int id, int clock, Notification how) {
            this.id = id;
            this.clock = clock;
            this.how = how;
        }

        synchronized long[] get() {
            if (!armed) return new long[] {0, intervalNanos};
            return new long[] {Math.max(1, deadlineNanos - System.nanoTime()), intervalNanos};
        }

        synchronized void set(long delayNanos, long interval) {
            cancel();
            intervalNanos = interval;
            if (delayNanos > 0) schedule(delayNanos);
        }

        private void schedule(long delay) {
            armed = true;
            deadlineNanos = System.nanoTime() + delay;
            future = group.kernel.timerService().schedule(this::expire, delay, TimeUnit.NANOSECONDS);
        }

        synchronized void cancel() {
            if (future != null) future.cancel(false);
            future = null;
            armed = false;
        }

        private void expire() {
            SigInfo s;
            synchronized (this) {
                if (!armed) return;
                if (intervalNanos > 0) {
                    // Catch up on whole intervals the timer service was late by, as overruns.
                    long next = deadlineNanos + intervalNanos, now = System.nanoTime();
                    int missed = 0;
                    while (next <= now) {
                        next += intervalNanos;
                        missed++;
                    }
                    armed = true;
                    deadlineNanos = next;
                    future = group.kernel.timerService().schedule(this::expire, next - now, TimeUnit.NANOSECONDS);
                    overrunSinceQueued = saturate(overrunSinceQueued, missed);
                } else {
                    armed = false;
                    future = null;
                }
                if (how.kind == SIGEV_NONE) return;
                if (queued != null) {
                    overrunSinceQueued = saturate(overrunSinceQueued, 1);
                    return;
                }
                s = new SigInfo(how.signo, Signal.SI_TIMER);
                s.timerId = id;
                s.value = how.value;
                s.onTake = this::taken;
                queued = s;
            }
            // Outside the timer's monitor: delivery takes the kernel's and the queue's locks.
            Task target = how.target;
            if (how.kind == SIGEV_THREAD_ID && target != null && !target.exited()) group.kernel.signalTask(target, s);
            else group.kernel.signalGroup(group, s);
            boolean pending = target != null ? (target.pendingMask() & Signal.bit(how.signo)) != 0
                    : (group.pending.mask() & Signal.bit(how.signo)) != 0;
            if (!pending) {
                // Ignored, or the process is exiting: nothing will take it.
                synchronized (this) {
                    if (queued == s) queued = null;
                }
            }
        }

        /** Called as the signal leaves the pending queue (delivered, waited for or discarded). */
        private void taken(SigInfo s) {
            synchronized (this) {
                if (queued != s) return;
                s.overrun = overrunSinceQueued;
                lastOverrun = overrunSinceQueued;
                overrunSinceQueued = 0;
                queued = null;
            }
        }

        synchronized int overrun() {
            return lastOverrun;
        }
    }

    private static int saturate(int a, int b) {
        long sum = (long) a + b;
        return sum > DELAYTIMER_MAX ? DELAYTIMER_MAX : (int) sum;
    }

    /**
     * timer_create: returns the new timer's id. A null {@code how} is the default sigevent:
     * SIGALRM to the process, carrying the timer's own id as its value.
     */
    public synchronized int create(int clock, Notification how) {
        if (timers.size() >= MAX_TIMERS) throw Errno.EAGAIN.exception();
        while (timers.containsKey(nextId)) nextId = nextId == Integer.MAX_VALUE ? 0 : nextId + 1;
        int id = nextId;
        nextId = id == Integer.MAX_VALUE ? 0 : id + 1;
        Notification n = how != null ? how : new Notification(SIGEV_SIGNAL, Signal.SIGALRM, id, null);
        timers.put(id, new Timer(id, clock, n));
        return id;
    }

    /** The clock a timer was created on. */
    public int clock(int id) {
        return timer(id).clock;
    }

    private synchronized Timer timer(int id) {
        Timer t = timers.get(id);
        if (t == null) throw Errno.EINVAL.exception();
        return t;
    }

    /** timer_settime with a relative delay (0 disarms); returns the old {remaining, interval}. */
    public long[] set(int id, long delayNanos, long intervalNanos) {
        Timer t = timer(id);
        synchronized (t) {
            long[] old = t.get();
            t.set(delayNanos, intervalNanos);
            return old;
        }
    }

    /** timer_gettime: {remaining, interval} in nanoseconds; remaining 0 when disarmed. */
    public long[] get(int id) {
        return timer(id).get();
    }

    /** timer_getoverrun: the overrun count of the last signal taken. */
    public int overrun(int id) {
        return timer(id).overrun();
    }

    /** timer_delete. */
    public void delete(int id) {
        Timer t;
        synchronized (this) {
            t = timers.remove(id);
        }
        if (t == null) throw Errno.EINVAL.exception();
        t.cancel();
    }

    /** Every timer goes: at execve and when the process exits. */
    void deleteAll() {
        Timer[] all;
        synchronized (this) {
            all = timers.values().toArray(new Timer[0]);
            timers.clear();
        }
        for (Timer t : all) t.cancel();
    }
}
