package dev.jvisor.p9;

import dev.jvisor.abi.ErrnoException;

import java.nio.ByteBuffer;

/**
 * A reliable, ordered byte stream carrying 9P frames (in jVisor: one end of a unix socketpair).
 * One thread reads frames; any number of threads may write them, each frame written whole.
 */
public interface Transport extends AutoCloseable {
    /**
     * Reads the next frame whole. The size field is checked against {@code msize} before the
     * body is read, so a hostile peer cannot make the reader allocate more than msize.
     *
     * @return the frame (size field included), or null at end of stream
     * @throws P9ProtocolException when the size field is impossible; the stream is then unusable
     */
    ByteBuffer readFrame(int msize) throws ErrnoException, P9ProtocolException;

    /** Writes one frame whole; concurrent writers never interleave. */
    void writeFrame(ByteBuffer frame) throws ErrnoException;

    /** Closes the stream; a thread blocked in {@link #readFrame} returns null. Idempotent. */
    @Override
    void close();
}
