package dev.jvisor.sentry.fs.gofer;

import dev.jvisor.abi.ErrnoException;
import dev.jvisor.p9.DonatedFile;
import dev.jvisor.sentry.host.Host;
import dev.jvisor.sentry.host.HostException;
import dev.jvisor.sentry.mm.MemoryFile;
import dev.jvisor.sentry.mm.SharedMemory;

import java.lang.foreign.MemorySegment;

/**
 * A file's content readable through a host descriptor the Gofer lent ({@link GoferFile#lend}):
 * pread(2) into any memory the Sentry holds, such as its own mapping of sandbox memory. Closed
 * by the one caller that asked for it, as soon as the copy is done.
 */
public final class LentFile implements AutoCloseable {
    private final DonatedFile donated;

    LentFile(DonatedFile donated) {
        this.donated = donated;
    }

    /** The file's size when the Gofer opened it. */
    public long size() {
        return donated.size();
    }

    /**
     * Fills {@code dst} with the bytes at {@code offset}: the count read (fewer only at end of
     * file), or -1 when the host reports an error, so that the caller copies another way.
     */
    public long read(MemorySegment dst, long offset) {
        try {
            long done = 0;
            MemoryFile memory = MemoryFile.get();
            long at = dst.address() - memory.mapping().address();
            if (at >= 0 && at + dst.byteSize() <= memory.mapping().byteSize()) {
                // Sandbox memory: copied inside the kernel, without faulting in each page here.
                done = memory.copyFrom(donated.descriptor(), offset, at, dst.byteSize());
                if (done == dst.byteSize()) return done;
            }
            return done + donated.readFully(dst.asSlice(done), offset + done);
        } catch (ErrnoException e) {
            return -1;
        }
    }

    /**
     * The file's pages for mapping where they are ({@link SharedMemory#mapHostFile}) through a
     * duplicate of the lent descriptor, which outlives this; null when the host will not map them.
     */
    public SharedMemory mapPages() {
        int dup;
        try {
            dup = Host.fcntl(donated.descriptor(), F_DUPFD_CLOEXEC, 0);
        } catch (ErrnoException | HostException e) {
            return null;
        }
        return SharedMemory.mapHostFile(dup, donated.size());
    }

    private static final int F_DUPFD_CLOEXEC = 1030;

    @Override
    public void close() {
        donated.close();
    }
}
