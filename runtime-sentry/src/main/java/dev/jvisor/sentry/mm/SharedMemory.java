package dev.jvisor.sentry.mm;

import java.lang.foreign.MemorySegment;

/**
 * A reference-counted range of the memory file that more than one mapping may share: the pages
 * of a tmpfs file once it is mapped MAP_SHARED, or shared anonymous memory. Holders release it.
 */
public final class SharedMemory {
    final Chunk chunk;

    private SharedMemory(Chunk chunk) {
        this.chunk = chunk;
    }

    /** Reserves {@code length} bytes (rounded up to pages) of zeroed memory. */
    public static SharedMemory allocate(long length) {
        return new SharedMemory(Chunk.allocate(length, true));
    }

    public long length() { return chunk.length; }

    /** The Sentry's view of the memory. */
    public MemorySegment segment() {
        return MemoryFile.get().mapping().asSlice(chunk.offset, chunk.length);
    }

    /** Returns the pages of [offset, offset+length) to the host; they read as zero. */
    public void discard(long offset, long length) {
        long from = (offset + MemoryFile.PAGE - 1) & -MemoryFile.PAGE;
        long to = Math.min(chunk.length, (offset + length) & -MemoryFile.PAGE);
        if (to > from) MemoryFile.get().decommit(chunk.offset + from, to - from);
    }

    public void release() {
        chunk.release();
    }
}
