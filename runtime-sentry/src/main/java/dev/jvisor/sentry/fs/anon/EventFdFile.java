package dev.jvisor.sentry.fs.anon;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.WaitQueue;
import dev.jvisor.sentry.vfs.OpenFile;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** eventfd(2): a 64-bit counter that reads drain (or decrement, in semaphore mode) and writes add to. */
public final class EventFdFile extends OpenFile {
    public static final int EFD_SEMAPHORE = 1;
    private static final long MAX = 0xffff_ffff_ffff_fffeL;

    private final boolean semaphore;
    private long counter;
    private final WaitQueue queue = new WaitQueue();

    public EventFdFile(long initial, int flags) {
        super(AnonInode.location(), "anon_inode:[eventfd]", FileMode.O_RDWR | (flags & FileMode.O_NONBLOCK));
        this.semaphore = (flags & EFD_SEMAPHORE) != 0;
        this.counter = initial;
    }

    @Override
    public int read(Task t, byte[] buf, int off, int len) {
        if (len < 8) throw Errno.EINVAL.exception();
        while (true) {
            synchronized (this) {
                if (counter != 0) {
                    long v = semaphore ? 1 : counter;
                    counter -= v;
                    ByteBuffer.wrap(buf, off, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
                    queue.wakeAll();
                    return 8;
                }
            }
            if (nonBlocking()) throw Errno.EAGAIN.exception();
            t.block(queue, () -> {
                synchronized (this) {
                    return counter != 0;
                }
            }, Long.MAX_VALUE);
        }
    }

    @Override
    public int write(Task t, byte[] buf, int off, int len) {
        if (len < 8) throw Errno.EINVAL.exception();
        long v = ByteBuffer.wrap(buf, off, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (v == -1L) throw Errno.EINVAL.exception();
        while (true) {
            synchronized (this) {
                if (Long.compareUnsigned(v, MAX - counter) <= 0) {
                    counter += v;
                    queue.wakeAll();
                    return 8;
                }
            }
            if (nonBlocking()) throw Errno.EAGAIN.exception();
            t.block(queue, () -> {
                synchronized (this) {
                    return Long.compareUnsigned(v, MAX - counter) <= 0;
                }
            }, Long.MAX_VALUE);
        }
    }

    @Override
    public synchronized int poll(int mask) {
        int r = 0;
        if (counter != 0) r |= POLLIN | POLLRDNORM;
        if (Long.compareUnsigned(counter, MAX) < 0) r |= POLLOUT | POLLWRNORM;
        return r & mask;
    }

    @Override
    public WaitQueue waitQueue() { return queue; }

    /** fs/eventfd.c eventfd_show_fdinfo. */
    @Override
    public synchronized String fdinfoLines() {
        return String.format("eventfd-count: %16x%neventfd-id: %d%neventfd-semaphore: %d%n",
                counter, System.identityHashCode(this) & 0x7fffffff, semaphore ? 1 : 0);
    }
}
