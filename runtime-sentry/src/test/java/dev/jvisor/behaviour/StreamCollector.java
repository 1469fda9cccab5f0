package dev.jvisor.behaviour;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Drains a child's output stream on a virtual thread, so the child can never block on a full
 * pipe, and keeps what arrived readable at any time: when a run hangs, the report shows how far
 * it got.
 */
final class StreamCollector {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile IOException failure;

    private StreamCollector(InputStream stream) {
        Thread.ofVirtual().start(() -> {
            byte[] chunk = new byte[8192];
            try (stream) {
                int n;
                while ((n = stream.read(chunk)) > 0) {
                    synchronized (bytes) {
                        bytes.write(chunk, 0, n);
                    }
                }
            } catch (IOException e) {
                failure = e;
            } finally {
                finished.countDown();
            }
        });
    }

    static StreamCollector start(InputStream stream) {
        return new StreamCollector(stream);
    }

    /** What has arrived so far. */
    String snapshot() {
        synchronized (bytes) {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    /** Everything, once the stream has ended (the writer and all its inheritors closed it). */
    String await(long timeout, TimeUnit unit) throws IOException, InterruptedException {
        if (!finished.await(timeout, unit)) {
            throw new IOException("output still open " + unit.toSeconds(timeout)
                    + "s after the program exited (a descendant kept it)");
        }
        if (failure != null) {
            throw failure;
        }
        return snapshot();
    }
}
