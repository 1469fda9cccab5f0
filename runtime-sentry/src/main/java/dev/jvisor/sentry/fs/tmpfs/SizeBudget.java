package dev.jvisor.sentry.fs.tmpfs;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes a tmpfs mounted with {@code size=} may hold, shared by its files: a file takes
 * whole pages as it grows and gives them back when it shrinks or its last link goes, and a write
 * that finds no page left fails with ENOSPC, as on Linux.
 */
public final class SizeBudget {
    static final long PAGE = 4096;

    private final long limit;
    private final AtomicLong used = new AtomicLong();

    /** @param limit bytes, rounded up to whole pages */
    public SizeBudget(long limit) {
        if (limit <= 0) throw new IllegalArgumentException("a tmpfs size must be positive: " + limit);
        this.limit = pages(limit);
    }

    public long limit() { return limit; }

    public long used() { return used.get(); }

    /** Takes up to {@code bytes} (a multiple of the page size); returns how much it took. */
    long takeUpTo(long bytes) {
        while (true) {
            long u = used.get();
            long grant = Math.min(bytes, limit - u);
            if (grant <= 0) return 0;
            if (used.compareAndSet(u, u + grant)) return grant;
        }
    }

    void give(long bytes) {
        used.addAndGet(-bytes);
    }

    /** {@code bytes} rounded up to whole pages. */
    static long pages(long bytes) {
        return (bytes + PAGE - 1) & -PAGE;
    }
}
