package dev.jvisor.p9;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/** Fid numbers a client hands out: released ones are reused, NOFID never is. */
final class FidPool {
    private final AtomicInteger next = new AtomicInteger();
    private final ConcurrentLinkedQueue<Integer> released = new ConcurrentLinkedQueue<>();

    int take() {
        Integer reused = released.poll();
        if (reused != null) {
            return reused;
        }
        int fid = next.getAndIncrement();
        if (fid == Message.NOFID) {
            throw new IllegalStateException("fid space exhausted");
        }
        return fid;
    }

    void give(int fid) {
        released.add(fid);
    }
}
