package dev.jvisor.runsc.control;

import dev.jvisor.sentry.host.HostException;
import dev.jvisor.sentry.host.UnixSockets;
import java.io.IOException;
import java.util.List;

/** A host socket fd: fd passing and peer credentials (server and runsc side). */
final class NativeTransport implements Transport {
    private final int fd;
    private boolean closed;

    NativeTransport(int fd) {
        this.fd = fd;
    }

    int fd() { return fd; }

    @Override
    public int read(byte[] dst, int off, int len, List<Integer> fds) throws IOException {
        UnixSockets.Received r;
        try {
            r = UnixSockets.receive(fd, dst, off, len);
        } catch (HostException e) {
            throw new IOException(e.getMessage(), e);
        }
        for (int f : r.fds()) fds.add(f);
        if (r.controlTruncated()) throw new IOException("more fds than a control message may carry");
        return r.bytes();
    }

    @Override
    public void write(byte[] data, int[] fds) throws IOException {
        try {
            UnixSockets.send(fd, data, fds);
        } catch (HostException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public void shutdown() {
        UnixSockets.shutdown(fd);
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        UnixSockets.closeQuietly(fd);
    }
}
