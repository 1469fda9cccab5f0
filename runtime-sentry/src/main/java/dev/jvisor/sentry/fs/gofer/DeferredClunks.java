package dev.jvisor.sentry.fs.gofer;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Tclunks that nothing waits for. A fid that was only walked (to read attributes or a symlink
 * target) or opened read-only to list a directory holds no lock, no written data and no file the
 * host must see closed, so the syscall that used it need not wait a round trip for its clunk:
 * one daemon thread for the whole Sentry sends these in order while the syscall goes on.
 * The fid number returns to the connection's pool only when the Gofer has answered (P9Client),
 * so it is never reused too early; failures are ignored as for any clunk (the fid is gone).
 * At most {@link #MAX_PENDING} wait to be sent; past that a caller clunks its fid itself.
 */
final class DeferredClunks {
    private DeferredClunks() {}

    private static final class Sender {
        static final ExecutorService INSTANCE = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "gofer-clunks");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Clunks waiting to be sent at most: beyond, the caller clunks itself and waits. A sender
     * starved of CPU (a loaded host) must not let fids pile up until the connection holds the
     * most the Gofer allows and every walk fails with EMFILE.
     */
    static final int MAX_PENDING = 256;
    private static final java.util.concurrent.atomic.AtomicInteger PENDING = new java.util.concurrent.atomic.AtomicInteger();

    /** Clunks {@code fid} of {@code gofer} soon, without waiting; see the class comment for which fids qualify. */
    static void release(GoferFs gofer, int fid) {
        if (PENDING.incrementAndGet() > MAX_PENDING) {
            PENDING.decrementAndGet();
            gofer.release(fid);
            return;
        }
        try {
            Sender.INSTANCE.execute(() -> {
                try {
                    gofer.release(fid);
                } finally {
                    PENDING.decrementAndGet();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            PENDING.decrementAndGet();
            gofer.release(fid);
        }
    }
}
