package dev.jvisor.p9;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The tags a client may have in flight. Taking a tag waits while all are in use, which bounds
 * the requests (and replies) outstanding on one connection.
 */
final class TagPool {
    private final Semaphore available;
    private final ConcurrentLinkedQueue<Integer> free = new ConcurrentLinkedQueue<>();

    TagPool(int size) {
        if (size < 2 || size > Message.NOTAG) {
            throw new IllegalArgumentException("tag pool size " + size);
        }
        available = new Semaphore(size);
        for (int t = 0; t < size; t++) {
            free.add(t);
        }
    }

    /** A free tag, or -1 if none came free within the timeout. */
    int take(long timeoutNanos) throws InterruptedException {
        if (!available.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS)) {
            return -1;
        }
        Integer t = free.poll();
        if (t == null) {
            available.release();
            throw new IllegalStateException("tag pool out of step with its semaphore");
        }
        return t;
    }

    void give(int tag) {
        free.add(tag);
        available.release();
    }
}
