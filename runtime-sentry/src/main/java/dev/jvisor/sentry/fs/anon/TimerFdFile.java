package dev.jvisor.sentry.fs.anon;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.WaitQueue;
import dev.jvisor.sentry.vfs.OpenFile;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * timerfd_create(2): a timer whose expirations are counted and read as a 64-bit number. Times
 * are kept on the monotonic host clock; the clock id only decides how absolute times are read.
 */
public final class TimerFdFile extends OpenFile {
    /** The clock absolute times are given in. */
    public int clock;
    private final ScheduledExecutorService timers;
    private final WaitQueue queue = new WaitQueue();
    private ScheduledFuture<?> pending;
    private long expirations;
    private long deadlineNanos;
    private long intervalNanos;

    public TimerFdFile(ScheduledExecutorService timers, int flags) {
        super(AnonInode.location(), "anon_inode:[timerfd]", FileMode.O_RDWR | (flags & FileMode.O_NONBLOCK));
        this.timers = timers;
    }

    /** Arms the timer to fire in {@code delayNanos} (0 disarms), then every {@code interval}; returns {remaining, interval} before. */
    public synchronized long[] set(long delayNanos, long interval) {
        long[] old = get();
        if (pending != null) pending.cancel(false);
        pending = null;
        intervalNanos = interval;
        if (delayNanos > 0) schedule(delayNanos);
        return old;
    }

    public synchronized long[] get() {
        long remaining = pending == null ? 0 : Math.max(1, deadlineNanos - System.nanoTime());
        return new long[] {remaining, intervalNanos};
    }

    private void schedule(long delay) {
        deadlineNanos = System.nanoTime() + delay;
        pending = timers.schedule(this::fire, delay, TimeUnit.NANOSECONDS);
    }

    private void fire() {
        synchronized (this) {
            expirations++;
            pending = null;
            if (intervalNanos > 0) schedule(intervalNanos);
        }
        queue.wakeAll();
    }

    @Override
    public int read(Task t, byte[] buf, int off, int len) {
        if (len < 8) throw Errno.EINVAL.exception();
        while (true) {
            synchronized (this) {
                if (expirations > 0) {
                    ByteBuffer.wrap(buf, off, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(expirations);
                    expirations = 0;
                    return 8;
                }
            }
            if (nonBlocking()) throw Errno.EAGAIN.exception();
            t.block(queue, () -> {
                synchronized (this) {
                    return expirations > 0;
                }
            }, Long.MAX_VALUE);
        }
    }

    @Override
    public synchronized int poll(int mask) {
        return expirations > 0 ? (POLLIN | POLLRDNORM) & mask : 0;
    }

    @Override
    public WaitQueue waitQueue() { return queue; }

    @Override
    protected synchronized void onLastClose() {
        if (pending != null) pending.cancel(false);
        pending = null;
    }
}
