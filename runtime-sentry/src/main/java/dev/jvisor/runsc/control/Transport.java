package dev.jvisor.runsc.control;

import java.io.IOException;
import java.util.List;

/** A connected stream socket as the control protocol needs it: bytes, and fds beside them. */
interface Transport extends AutoCloseable {
    /**
     * Reads up to {@code len} bytes; fds that came with them are added to {@code fds} (the
     * caller owns them). Returns 0 at end of stream.
     */
    int read(byte[] dst, int off, int len, List<Integer> fds) throws IOException;

    /** Writes all of {@code data}, with {@code fds} attached to its first byte. */
    void write(byte[] data, int[] fds) throws IOException;

    /** Wakes a blocked reader with end of stream, without releasing the socket. */
    void shutdown();

    @Override
    void close();
}
