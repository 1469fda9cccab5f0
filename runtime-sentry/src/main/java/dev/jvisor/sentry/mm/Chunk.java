package dev.jvisor.sentry.mm;

import java.lang.foreign.MemorySegment;

/**
 * A reference-counted range of the memory file, or a whole read-only host file. Each VMA that
 * maps part of it holds one reference; the range is freed (the host file closed) when the last
 * goes. A private chunk belongs to one address space; a shared chunk (MAP_SHARED|MAP_ANONYMOUS,
 * memfd, tmpfs mappings) may be mapped by many. A VMA's file offset is an offset in the memory
 * file for the former and in the host file for the latter: in {@link #base()} either way.
 */
final class Chunk {
    /** How far a mapping may reach into a host file: past its end the VMA is marked to fault. */
    private static final long HOST_FILE_REACH = 1L << 46;

    final long offset;
    final long length;
    final boolean shared;
    /** The host file this chunk is, or null for a range of the memory file. */
    final HostFile host;
    /**
     * For a private copy of a file's pages: the file's chunk (a reference held) and the offset
     * in it of this chunk's first byte, so that MADV_DONTNEED can map the file again; else null.
     */
    private Chunk origin;
    private long originOffset;
    private int refs = 1;

    Chunk(long offset, long length, boolean shared) {
        this(offset, length, shared, null);
    }

    private Chunk(long offset, long length, boolean shared, HostFile host) {
        this.offset = offset;
        this.length = length;
        this.shared = shared;
        this.host = host;
    }

    static Chunk allocate(long length, boolean shared) {
        return new Chunk(MemoryFile.get().allocate(length), MemoryFile.roundUp(length), shared);
    }

    /** A chunk that is the host file {@code file} (taken over: closed with the last reference). */
    static Chunk of(HostFile file) {
        return new Chunk(0, HOST_FILE_REACH, true, file);
    }

    /** A private copy of {@code file}'s pages from {@code fileOffset} on: remembers the file (taking a reference). */
    static Chunk copyOf(Chunk file, long fileOffset, long length) {
        Chunk c = allocate(length, false);
        c.origin = file.retain();
        c.originOffset = fileOffset;
        return c;
    }

    /** The file this chunk copies, or null. */
    Chunk origin() { return origin; }

    /** The offset in {@link #origin()} of the byte at memory-file offset {@code at} of this chunk. */
    long originOffset(long at) { return originOffset + (at - offset); }

    /** What file offsets index: the Sentry's mapping of the memory file or of the host file. */
    MemorySegment base() {
        return host != null ? host.view() : MemoryFile.get().mapping();
    }

    /** Bytes readable from {@link #base()} at {@code fileOffset}, at most {@code want}. */
    long readable(long fileOffset, long want) {
        return host == null ? want : Math.max(0, Math.min(want, host.view().byteSize() - fileOffset));
    }

    synchronized Chunk retain() {
        if (refs <= 0) throw new IllegalStateException("chunk already freed");
        refs++;
        return this;
    }

    void release() {
        boolean last;
        synchronized (this) {
            last = --refs == 0;
        }
        if (!last) return;
        if (host != null) host.close();
        else MemoryFile.get().free(offset, length);
        if (origin != null) origin.release();
    }
}
