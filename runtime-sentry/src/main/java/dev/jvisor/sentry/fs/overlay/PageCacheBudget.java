package dev.jvisor.sentry.fs.overlay;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How much lower-layer content the overlay may keep in sandbox memory as a page cache. Content
 * taken into memory stays (it becomes the file's upper copy), so the budget only shrinks: it
 * bounds what reading alone can make the Sentry hold, while writes are bounded like tmpfs.
 */
final class PageCacheBudget {
    /** Total bytes cached per root: well inside the Sentry's default 512 MiB heap. */
    static final long DEFAULT_BYTES = 160L << 20;
    /** Largest file cached whole on open; larger ones are read from the Gofer each time. */
    static final long DEFAULT_FILE_BYTES = 64L << 20;

    private final AtomicLong left;
    private final long perFile;

    PageCacheBudget(long total, long perFile) {
        this.left = new AtomicLong(total);
        this.perFile = perFile;
    }

    /** Reserves {@code bytes}; false (nothing reserved) when the file is too big or the budget spent. */
    boolean take(long bytes) {
        if (bytes > perFile) return false;
        while (true) {
            long now = left.get();
            if (now < bytes) return false;
            if (left.compareAndSet(now, now - bytes)) return true;
        }
    }
}
