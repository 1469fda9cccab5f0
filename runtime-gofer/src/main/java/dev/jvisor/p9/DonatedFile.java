package dev.jvisor.p9;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;

import java.lang.foreign.MemorySegment;

/**
 * A read-only host descriptor of a regular file that the server lent (jVisor's Rdonatefd): the
 * client reads the file with {@code pread(2)} straight into memory of its choosing, instead of
 * through Tread frames, and closes it as soon as it has what it needs. Not thread-safe; close
 * exactly once (try-with-resources).
 */
public final class DonatedFile implements AutoCloseable {
    private final long size;
    private int fd;

    DonatedFile(int fd, long size) {
        this.fd = fd;
        this.size = size;
    }

    /**
     * The lent host descriptor, for a caller that copies with calls of its own (splice into
     * memory it owns): valid until {@link #close}, and never to be closed by the caller.
     *
     * @throws ErrnoException EBADF once closed
     */
    public int descriptor() throws ErrnoException {
        if (fd < 0) {
            throw new ErrnoException(Errno.EBADF, "donated file closed");
        }
        return fd;
    }

    /** The file's size when the server opened the descriptor. */
    public long size() {
        return size;
    }

    /**
     * Fills {@code dst} with the file's bytes from {@code offset} on, pread by pread, until it is
     * full or the file ends.
     *
     * @return the bytes read: less than {@code dst}'s size only at end of file
     * @throws ErrnoException the host's error (EIO for a failing disk), or EBADF once closed
     */
    public long readFully(MemorySegment dst, long offset) throws ErrnoException {
        if (fd < 0) {
            throw new ErrnoException(Errno.EBADF, "pread: donated file closed");
        }
        if (offset < 0) {
            throw new ErrnoException(Errno.EINVAL, "pread");
        }
        long done = 0;
        long want = dst.byteSize();
        while (done < want) {
            long n = Native.pread(fd, dst.asSlice(done), want - done, offset + done);
            if (n == 0) {
                break;
            }
            done += n;
        }
        return done;
    }

    @Override
    public void close() {
        int f = fd;
        fd = -1;
        if (f >= 0) {
            try {
                Native.close(f);
            } catch (ErrnoException ignored) {
                // The descriptor is released either way.
            }
        }
    }

    /** Closes the descriptor a message carries, if any: for replies nobody will consume. */
    static void discard(Rmessage r) {
        if (r instanceof Rmessage.DonateFd d && d.fd() >= 0) {
            new DonatedFile(d.fd(), d.size()).close();
        }
    }
}
