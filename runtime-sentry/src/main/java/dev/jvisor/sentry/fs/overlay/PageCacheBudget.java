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
    private final boolean mapInPlace;

    PageCacheBudget(long total, long perFile) {
        this(total, perFile, false);
    }

    /**
     * @param mapInPlace large files are kept as the host files the Gofer lends rather than copied
     *                   ({@link OverlayFile}): only for a root that lives as long as the sandbox
     *                   process, as the host descriptors it keeps hold the root's mount busy
     */
    PageCacheBudget(long total, long perFile, boolean mapInPlace) {
        this.left = new AtomicLong(total);
        this.perFile = perFile;
        this.mapInPlace = mapInPlace;
    }

    /** Whether large files stay where they are (see the constructor). */
    boolean mapsInPlace() { return mapInPlace; }

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
