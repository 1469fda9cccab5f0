package dev.jvisor.runsc.control;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;

/**
 * A JDK socket channel (the exec waiter's inherited connection): no fd passing, and no native
 * code, which keeps the waiter's start-up small.
 */
final class ChannelTransport implements Transport {
    private final SocketChannel channel;

    ChannelTransport(SocketChannel channel) {
        this.channel = channel;
    }

    @Override
    public int read(byte[] dst, int off, int len, List<Integer> fds) throws IOException {
        int n = channel.read(ByteBuffer.wrap(dst, off, len));
        return Math.max(n, 0);
    }

    @Override
    public void write(byte[] data, int[] fds) throws IOException {
        if (fds.length > 0) throw new IOException("this connection cannot pass fds");
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) channel.write(b);
    }

    @Override
    public void shutdown() {
        try {
            channel.shutdownInput();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}
