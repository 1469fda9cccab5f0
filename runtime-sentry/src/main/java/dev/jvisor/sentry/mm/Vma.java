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
 * @param copyOnWrite a private file mapping that still reads the file's cached pages ({@code chunk}
 *                    belongs to the file): never writable as the host maps it; the address space
 *                    copies the pages a write reaches into private memory first (the Sentry's
 *                    writes, mprotect adding PROT_WRITE, the application's write faults). This is
 *                    how Linux serves an unwritten MAP_PRIVATE page — straight from the page
 *                    cache, showing later writes to the file — and lets every process share a
 *                    library's text instead of copying it per exec.
 */
public record Vma(long start, long end, int prot, boolean shared, Chunk chunk, long fileOffset, String name,
                  boolean busOnAccess, boolean copyOnWrite) {

    public Vma(long start, long end, int prot, boolean shared, Chunk chunk, long fileOffset, String name) {
        this(start, end, prot, shared, chunk, fileOffset, name, false, false);
    }

    public long length() { return end - start; }

    /** The host file this VMA maps directly (a copy-on-write VMA, never writable as it is), or null for memory-file pages. */
    public HostFile hostFile() { return chunk.host; }

    public boolean contains(long addr) { return addr >= start && addr < end; }

    /**
     * The protection the host mapping gets: none past a file's end, so access traps; no write
     * while copy-on-write, so a write traps and the pages are copied first.
     */
    public int hostProt() { return busOnAccess ? 0 : copyOnWrite ? prot & ~AddressSpace.PROT_WRITE : prot; }

    /** True if the pages belong to this mapping alone (private and already copied): unmapping them frees them. */
    boolean ownsPages() { return !shared && !copyOnWrite; }

    Vma slice(long from, long to) {
        return new Vma(from, to, prot, shared, chunk, fileOffset + (from - start), name, busOnAccess, copyOnWrite);
    }

    Vma withProt(int p) {
        return new Vma(start, end, p, shared, chunk, fileOffset, name, busOnAccess, copyOnWrite);
    }

    Vma withBusOnAccess() {
        return new Vma(start, end, prot, shared, chunk, fileOffset, name, true, copyOnWrite);
    }

    /** The same mapping over other memory; a private copy ({@code !isShared}) is no longer copy-on-write. */
    Vma withChunk(long from, long to, Chunk c, long offset, boolean isShared, boolean cow) {
        return new Vma(from, to, prot, isShared, c, offset, name, busOnAccess, cow);
    }
}
