package dev.jvisor.nodeagent.host;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * An exclusive lock on a file on the host, so that two agents on one node (an old pod uninstalling
 * while a new one installs) never interleave their changes. It is a POSIX record lock, released by
 * the kernel when the process dies, so a crashed agent never leaves the node locked. The file itself
 * is never deleted: deleting a lock file while another process waits on it would split the lock.
 */
public final class HostLock implements AutoCloseable {

    private static final long POLL_MILLIS = 100;

    private final FileChannel channel;
    private final FileLock lock;

    private HostLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock, waiting up to {@code timeout} for another holder to let go. */
    public static HostLock acquire(Path lockFile, Duration timeout) throws HostException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            Files.createDirectories(lockFile.getParent());
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                while (true) {
                    FileLock lock = channel.tryLock();
                    if (lock != null) {
                        return new HostLock(channel, lock);
                    }
                    if (System.nanoTime() > deadline) {
                        throw new HostException(HostException.Reason.LOCK_TIMEOUT,
                                lockFile + " is held by another process");
                    }
                    Thread.sleep(POLL_MILLIS);
                }
            } catch (HostException | IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            throw new HostException(HostException.Reason.IO_ERROR, "cannot lock " + lockFile + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HostException(HostException.Reason.LOCK_TIMEOUT, "interrupted waiting for " + lockFile, e);
        }
    }

    @Override
    public void close() throws HostException {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new HostException(HostException.Reason.IO_ERROR, "cannot release host lock: " + e, e);
        }
    }
}
