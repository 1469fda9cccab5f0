package dev.jvisor.runsc.state;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;

/**
 * Exclusive hold on one container's state, released by {@link #close()}. The lock lives in the
 * container's directory, so it disappears with the container.
 */
public final class ContainerLock implements AutoCloseable {
    private final String id;
    private final FileChannel channel;
    private final FileLock lock;

    ContainerLock(String id, FileChannel channel, FileLock lock) {
        this.id = id;
        this.channel = channel;
        this.lock = lock;
    }

    public String id() {
        return id;
    }

    @Override
    public void close() {
        try {
            if (lock.isValid()) lock.release();
        } catch (IOException ignored) {
            // Closing the channel below releases it as well.
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing is left to release: the kernel drops the lock with the descriptor.
        }
    }
}
