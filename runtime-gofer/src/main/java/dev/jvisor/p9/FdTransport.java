package dev.jvisor.p9;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A {@link Transport} over a connected stream socket file descriptor, such as one end of the
 * socketpair runsc creates between the Sentry and the Gofer.
 *
 * <p>Closing shuts the socket down first, which wakes a reader blocked in {@code read(2)}, and
 * closes the descriptor only once no thread is using it, so a descriptor number can never be
 * reused under a thread still holding it.
 *
 * <p>Once {@link #receiveDescriptors()} is called the reader uses {@code recvmsg(2)} with
 * MSG_CMSG_CLOEXEC and queues the SCM_RIGHTS descriptors that arrive, in order, for the frames
 * that claim them ({@link #takeDescriptor()}). The queue is checked every time the read buffer
 * is used up exactly at a frame boundary: every frame whose bytes have arrived has then been
 * read and had its chance to claim, so a descriptor still queued is stray; it is closed and the
 * stream reported broken. A peer cannot make this process hold more than
 * {@value #MAX_QUEUED_FDS} descriptors it did not ask for.
 */
public final class FdTransport implements Transport {
    private final int fd;
    /**
     * The buffers' memory, made on first use: closing a shared arena stops every thread of the
     * JVM for a handshake, which a transport that is only handed to a child process (the
     * Sentry's end of a Gofer's socketpair before it connects) should not pay.
     */
    private Arena arena;
    private final Object arenaLock = new Object();
    private final ReentrantReadWriteLock inUse = new ReentrantReadWriteLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private volatile boolean closed;
    private static final long READ_BUFFER_SIZE = 64 * 1024;
    /** Descriptors one recvmsg can take; a frame carries at most one, so more means a bad peer. */
    static final int MAX_QUEUED_FDS = 4;

    private volatile boolean receivesFds;
    /** Received descriptors not yet claimed, oldest first; the reader thread's, and close()'s. */
    private final ArrayDeque<Integer> receivedFds = new ArrayDeque<>();
    private MemorySegment control = MemorySegment.NULL;
    private MemorySegment recvHeader = MemorySegment.NULL;

    private MemorySegment readBuf = MemorySegment.NULL;
    private long readPos;
    private long readLimit;
    private MemorySegment writeBuf = MemorySegment.NULL;
    private MemorySegment sendHeader = MemorySegment.NULL;

    /** Takes ownership of {@code fd}, a connected {@code SOCK_STREAM} socket. */
    public FdTransport(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("bad file descriptor " + fd);
        }
        this.fd = fd;
    }

    /** A connected pair of transports over a new unix socketpair. */
    public static FdTransport[] socketPair() throws ErrnoException {
        int[] fds = Native.socketPair();
        return new FdTransport[] {new FdTransport(fds[0]), new FdTransport(fds[1])};
    }

    /** The raw descriptor number (to hand to a child process); still owned by this transport. */
    public int fd() {
        return fd;
    }

    @Override
    public ByteBuffer readFrame(int msize) throws ErrnoException, P9ProtocolException {
        if (!inUse.readLock().tryLock()) {
            return null;
        }
        try {
            if (closed) {
                return null;
            }
            checkNoStrayDescriptors();
            if (!fill(4)) {
                return null;
            }
            long size = Integer.toUnsignedLong(readBuf.get(ValueLayout.JAVA_INT_UNALIGNED, readPos));
            P9Codec.checkSize(size, msize);
            if (!fill(size)) {
                return null;
            }
            byte[] frame = new byte[(int) size];
            MemorySegment.copy(readBuf, ValueLayout.JAVA_BYTE, readPos, frame, 0, (int) size);
            readPos += size;
            return ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
        } catch (ErrnoException e) {
            if (closed) {
                return null;
            }
            throw e;
        } finally {
            inUse.readLock().unlock();
        }
    }

    @Override
    public boolean receiveDescriptors() {
        receivesFds = true;
        return true;
    }

    @Override
    public int takeDescriptor() throws P9ProtocolException {
        synchronized (receivedFds) {
            Integer fd = receivedFds.pollFirst();
            if (fd == null) {
                throw new P9ProtocolException(P9ProtocolException.Reason.MISSING_DESCRIPTOR, P9ProtocolException.NO_TAG,
                        "a frame that carries a descriptor came without one");
            }
            return fd;
        }
    }

    /** At a frame boundary with nothing buffered, every queued descriptor has missed its frame. */
    private void checkNoStrayDescriptors() throws P9ProtocolException {
        synchronized (receivedFds) {
            if (readPos == readLimit && !receivedFds.isEmpty()) {
                int n = receivedFds.size();
                closeQueuedDescriptors();
                throw new P9ProtocolException(P9ProtocolException.Reason.STRAY_DESCRIPTOR, P9ProtocolException.NO_TAG,
                        n + " descriptor(s) that no frame claimed");
            }
        }
    }

    private void closeQueuedDescriptors() {
        synchronized (receivedFds) {
            for (Integer fd; (fd = receivedFds.pollFirst()) != null; ) {
                closeQuietly(fd);
            }
        }
    }

    private static void closeQuietly(int fd) {
        try {
            Native.close(fd);
        } catch (ErrnoException ignored) {
            // The descriptor is released either way.
        }
    }

    @Override
    public void writeFrame(ByteBuffer frame, int passFd) throws ErrnoException {
        if (passFd < 0) {
            throw new ErrnoException(Errno.EBADF, "sendmsg");
        }
        writeFrame(frame, new int[] {passFd});
    }

    @Override
    public void writeFrame(ByteBuffer frame) throws ErrnoException {
        writeFrame(frame, new int[0]);
    }

    /** Writes one frame; {@code fds}, if any, go with its first byte in one sendmsg. */
    void writeFrame(ByteBuffer frame, int[] fds) throws ErrnoException {
        if (!inUse.readLock().tryLock()) {
            throw new ErrnoException(Errno.EPIPE, "write");
        }
        writeLock.lock();
        try {
            if (closed) {
                throw new ErrnoException(Errno.EPIPE, "write");
            }
            int len = frame.remaining();
            if (writeBuf.byteSize() < len) {
                writeBuf = arena().allocate(Math.max(len, 8192));
            }
            if (frame.hasArray()) {
                MemorySegment.copy(frame.array(), frame.arrayOffset() + frame.position(), writeBuf, ValueLayout.JAVA_BYTE, 0, len);
            } else {
                MemorySegment.copy(MemorySegment.ofBuffer(frame), 0, writeBuf, 0, len);
            }
            long done = 0;
            if (fds.length > 0) {
                if (sendHeader.equals(MemorySegment.NULL)) {
                    sendHeader = arena().allocate(Native.SEND_HEADER_SIZE, 8);
                }
                done = Native.sendWithFds(fd, writeBuf, len, fds, sendHeader);
            }
            while (done < len) {
                done += Native.send(fd, writeBuf.asSlice(done), len - done);
            }
        } finally {
            writeLock.unlock();
            inUse.readLock().unlock();
        }
    }

    @Override
    public void close() {
        close(true);
    }

    /**
     * Closes only this process's descriptor and leaves the connection up: for the end of a
     * socketpair that was handed to a child process (shutdown would end the child's connection
     * too, since both descriptors name one socket). Must not be used while a thread reads.
     */
    public void closeDescriptorOnly() {
        close(false);
    }

    private Arena arena() {
        synchronized (arenaLock) {
            if (arena == null) {
                arena = Arena.ofShared();
            }
            return arena;
        }
    }

    private synchronized void close(boolean shutdown) {
        if (closed) {
            return;
        }
        closed = true;
        if (shutdown) {
            try {
                Native.shutdown(fd, Native.SHUT_RDWR);
            } catch (ErrnoException ignored) {
                // ENOTCONN when the peer already went away; the descriptor is still ours to close.
            }
        }
        inUse.writeLock().lock();
        try {
            Native.close(fd);
        } catch (ErrnoException ignored) {
            // Nothing to recover: the descriptor is released either way.
        } finally {
            closeQueuedDescriptors();
            synchronized (arenaLock) {
                if (arena != null) {
                    arena.close();
                }
            }
        }
        // Keep the write lock: the descriptor is gone, every later user must fail fast.
    }

    /**
     * Makes at least {@code n} unread bytes available in the read buffer, reading as much as the
     * socket has (usually several frames per read(2)); false at end of stream. Only the single
     * reader thread touches the buffer; it grows to at most one frame of msize.
     */
    private boolean fill(long n) throws ErrnoException {
        long available = readLimit - readPos;
        if (available >= n) {
            return true;
        }
        if (readBuf.byteSize() - readPos < n) {
            MemorySegment target = readBuf.byteSize() >= n ? readBuf : arena().allocate(Math.max(n, READ_BUFFER_SIZE));
            MemorySegment.copy(readBuf, readPos, target, 0, available);
            readBuf = target;
            readPos = 0;
            readLimit = available;
        }
        while (readLimit - readPos < n) {
            long r = receivesFds ? receive(readBuf.asSlice(readLimit), readBuf.byteSize() - readLimit)
                    : Native.read(fd, readBuf.asSlice(readLimit), readBuf.byteSize() - readLimit);
            if (r == 0) {
                return false;
            }
            readLimit += r;
        }
        return true;
    }

    /**
     * One recvmsg: the bytes go to {@code into}, the descriptors to the queue. More descriptors
     * than the queue holds (or than the control buffer took: the kernel closed the rest) break
     * the stream, after closing every one received.
     */
    private long receive(MemorySegment into, long count) throws ErrnoException {
        if (control.equals(MemorySegment.NULL)) {
            control = arena().allocate(Native.cmsgSpace(4L * MAX_QUEUED_FDS), 8);
            recvHeader = arena().allocate(Native.RECV_HEADER_SIZE, 8);
        }
        Native.Received got = Native.recvWithFds(fd, into, count, control, recvHeader);
        if (got.fds().length == 0 && !got.controlTruncated()) {
            return got.bytes();
        }
        synchronized (receivedFds) {
            for (int received : got.fds()) {
                receivedFds.addLast(received);
            }
            if (got.controlTruncated() || receivedFds.size() > MAX_QUEUED_FDS) {
                closeQueuedDescriptors();
                throw new ErrnoException(Errno.EPROTO, "recvmsg: more descriptors than any frame carries");
            }
        }
        return got.bytes();
    }
}
