package dev.jvisor.sentry.mm;

/**
 * A reference-counted range of the memory file. Each VMA that maps part of it holds one
 * reference; the range is freed when the last goes. A private chunk belongs to one address
 * space; a shared chunk (MAP_SHARED|MAP_ANONYMOUS, memfd, tmpfs mappings) may be mapped by many.
 */
final class Chunk {
    final long offset;
    final long length;
    final boolean shared;
    private int refs = 1;

    Chunk(long offset, long length, boolean shared) {
        this.offset = offset;
        this.length = length;
        this.shared = shared;
    }

    static Chunk allocate(long length, boolean shared) {
        return new Chunk(MemoryFile.get().allocate(length), MemoryFile.roundUp(length), shared);
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
        if (last) MemoryFile.get().free(offset, length);
    }
}
