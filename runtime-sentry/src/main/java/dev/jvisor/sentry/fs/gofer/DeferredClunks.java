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

    /** Clunks {@code fid} of {@code gofer} soon, without waiting; see the class comment for which fids qualify. */
    static void release(GoferFs gofer, int fid) {
        try {
            Sender.INSTANCE.execute(() -> gofer.release(fid));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            gofer.release(fid);
        }
    }
}
