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

    /**
     * Writes one frame whole with {@code fd} passed as SCM_RIGHTS data sent with its first
     * byte (jVisor's Rdonatefd). The descriptor stays the caller's: the peer gets its own copy.
     *
     * @throws ErrnoException EOPNOTSUPP when this transport cannot pass descriptors
     */
    default void writeFrame(ByteBuffer frame, int fd) throws ErrnoException {
        throw new ErrnoException(dev.jvisor.abi.Errno.EOPNOTSUPP, "descriptor passing");
    }

    /**
     * Makes the reader take descriptors that arrive with frames (a client that will ask for
     * them); until then, and on a server, any descriptor a peer sends is discarded by the kernel
     * unseen. Call before the first {@link #readFrame}.
     *
     * @return false when this transport cannot receive descriptors
     */
    default boolean receiveDescriptors() {
        return false;
    }

    /**
     * Hands the oldest received, unclaimed descriptor to the caller, for the frame just read.
     * Descriptors arrive in stream order, no later than the first byte of the frame they were
     * sent with, so the frame that claims one gets its own.
     *
     * @throws P9ProtocolException when none is waiting (the peer sent the frame without one)
     */
    default int takeDescriptor() throws P9ProtocolException {
        throw new P9ProtocolException(P9ProtocolException.Reason.MISSING_DESCRIPTOR, P9ProtocolException.NO_TAG,
                "this transport receives no descriptors");
    }

    /** Closes the stream; a thread blocked in {@link #readFrame} returns null. Idempotent. */
    @Override
    void close();
}
