package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.linux.Signal;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A process's ITIMER_REAL (setitimer(2), alarm(2)): SIGALRM on expiry, re-armed by the
 * interval. ITIMER_VIRTUAL and ITIMER_PROF are kept but do not fire (CPU time of the
 * application is not sampled yet).
 */
public final class IntervalTimers {
    private final ThreadGroup group;
    private ScheduledFuture<?> real;
    private long realDeadlineNanos;
    private long realIntervalNanos;
    private final long[][] other = new long[3][2];

    IntervalTimers(ThreadGroup group) {
        this.group = group;
    }

    /** Returns {remaining, interval} of timer {@code which} in nanoseconds. */
    public synchronized long[] get(int which) {
        if (which == 0) {
            long remaining = real == null ? 0 : Math.max(1000, realDeadlineNanos - System.nanoTime());
            return new long[] {real == null ? 0 : remaining, realIntervalNanos};
        }
        return other[which].clone();
    }

    /** Arms timer {@code which}; a zero value disarms it. Returns the old setting. */
    public synchronized long[] set(int which, long valueNanos, long intervalNanos) {
        long[] old = get(which);
        if (which != 0) {
            other[which][0] = valueNanos;
            other[which][1] = intervalNanos;
            return old;
        }
        if (real != null) real.cancel(false);
        real = null;
        realIntervalNanos = intervalNanos;
        if (valueNanos > 0) schedule(valueNanos);
        return old;
    }

    private void schedule(long delay) {
        realDeadlineNanos = System.nanoTime() + delay;
        real = group.kernel.timerService().schedule(this::fire, delay, TimeUnit.NANOSECONDS);
    }

    private void fire() {
        synchronized (this) {
            real = null;
            if (realIntervalNanos > 0) schedule(realIntervalNanos);
        }
        SigInfo s = new SigInfo(Signal.SIGALRM, Signal.SI_KERNEL);
        group.kernel.signalGroup(group, s);
    }

    synchronized void cancelAll() {
        if (real != null) real.cancel(false);
        real = null;
    }
}
