package dev.jvisor.gofer;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A host file descriptor shared by several nodes (a fid and its clones, a directory and the
 * children that remember it as their parent). Closed when the last holder releases it, so a
 * descriptor number is never closed while a node can still use it.
 */
final class HostFd {
    private final int fd;
    private final AtomicInteger refs = new AtomicInteger(1);

    HostFd(int fd) {
        this.fd = fd;
    }

    int fd() {
        int n = refs.get();
        if (n <= 0) {
            throw new IllegalStateException("use of released descriptor " + fd);
        }
        return fd;
    }

    HostFd retain() {
        if (refs.getAndIncrement() <= 0) {
            throw new IllegalStateException("retain of released descriptor " + fd);
        }
        return this;
    }

    void release() {
        int n = refs.decrementAndGet();
        if (n == 0) {
            Native.closeQuietly(fd);
        } else if (n < 0) {
            throw new IllegalStateException("descriptor " + fd + " released twice");
        }
    }
}
