package dev.jvisor.sentry.mm;

import java.lang.foreign.MemorySegment;

/**
 * A reference-counted range of the memory file that more than one mapping may share: the pages
 * of a tmpfs file once it is mapped MAP_SHARED, or shared anonymous memory; or a read-only host
 * file whose pages mappings use directly ({@link #mapHostFile}). Holders release it.
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

    /**
     * The first {@code size} bytes of the read-only host file {@code fd}, which this takes over
     * (closed with the last reference, or at once on failure), for mappings that read it without
     * a copy (see {@link HostFile}); null when the host will not map it so.
     */
    public static SharedMemory mapHostFile(int fd, long size) {
        HostFile f = HostFile.map(fd, size);
        return f == null ? null : new SharedMemory(Chunk.of(f));
    }

    /** The host file these pages are, or null for memory-file pages. */
    public HostFile hostFile() { return chunk.host; }

    /** Bytes of memory: for a host file, its size. */
    public long length() { return chunk.host != null ? chunk.host.size() : chunk.length; }

    /** Where the memory starts in the memory file (not for a host file). */
    public long fileOffset() {
        if (chunk.host != null) throw new IllegalStateException("a host file is not in the memory file");
        return chunk.offset;
    }

    /** The Sentry's view of the memory (for a host file: read-only, whole pages). */
    public MemorySegment segment() {
        return chunk.host != null ? chunk.host.view() : MemoryFile.get().mapping().asSlice(chunk.offset, chunk.length);
    }

    /** Returns the pages of [offset, offset+length) to the host; they read as zero. */
    public void discard(long offset, long length) {
        if (chunk.host != null) throw new IllegalStateException("a host file is read-only");
        long from = (offset + MemoryFile.PAGE - 1) & -MemoryFile.PAGE;
        long to = Math.min(chunk.length, (offset + length) & -MemoryFile.PAGE);
        if (to > from) MemoryFile.get().decommit(chunk.offset + from, to - from);
    }

    public void release() {
        chunk.release();
    }
}
