package dev.jvisor.sentry.mm;

/**
 * One mapping: [start, end) of the application's address space, backed by {@code chunk} from
 * file offset {@code fileOffset} on. Immutable; an address space replaces VMAs when it splits
 * or changes them.
 *
 * @param prot        PROT_* bits (include/uapi/asm-generic/mman-common.h)
 * @param shared      MAP_SHARED semantics: writes are seen by every mapper; not copied on fork
 * @param name        what /proc/PID/maps shows: {@code [heap]}, {@code [stack]}, a path, or empty
 * @param busOnAccess the part of a file mapping past the file's end: any access raises SIGBUS
 */
public record Vma(long start, long end, int prot, boolean shared, Chunk chunk, long fileOffset, String name,
                  boolean busOnAccess) {

    public Vma(long start, long end, int prot, boolean shared, Chunk chunk, long fileOffset, String name) {
        this(start, end, prot, shared, chunk, fileOffset, name, false);
    }

    public long length() { return end - start; }

    public boolean contains(long addr) { return addr >= start && addr < end; }

    /** The protection the host mapping gets: none past a file's end, so access traps. */
    public int hostProt() { return busOnAccess ? 0 : prot; }

    Vma slice(long from, long to) {
        return new Vma(from, to, prot, shared, chunk, fileOffset + (from - start), name, busOnAccess);
    }

    Vma withProt(int p) {
        return new Vma(start, end, p, shared, chunk, fileOffset, name, busOnAccess);
    }

    Vma withChunk(long from, long to, Chunk c, long offset, boolean isShared) {
        return new Vma(from, to, prot, isShared, c, offset, name, busOnAccess);
    }
}
