package dev.jvisor.sentry.mm;

import dev.jvisor.sentry.host.Host;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.TreeMap;

/**
 * The sparse memfd that backs all application memory of one Sentry. Ranges are allocated in
 * pages; freed ranges have their pages returned to the host (hole punching) and their offsets
 * reused. The whole file is mapped into the Sentry once, so application memory is plain
 * {@link MemorySegment} access here.
 */
public final class MemoryFile {
    public static final long PAGE = 4096;
    /** Virtual size of the file; pages cost nothing until written. */
    private static final long CAPACITY = 1L << 40;
    private static final int MFD_CLOEXEC = 1;
    private static final int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1, MAP_NORESERVE = 0x4000;
    private static final int FALLOC_FL_KEEP_SIZE = 1, FALLOC_FL_PUNCH_HOLE = 2;
    private static final int F_DUPFD_CLOEXEC = 1030;

    private static volatile MemoryFile instance;

    private final int fd;
    private final MemorySegment mapping;
    private final TreeMap<Long, Long> free = new TreeMap<>(); // offset -> length
    private long bump;
    private long allocatedBytes;

    private MemoryFile() {
        int raw = Host.memfdCreate("jvisor-memory", MFD_CLOEXEC);
        this.fd = Host.fcntl(raw, F_DUPFD_CLOEXEC, 100);
        Host.close(raw);
        Host.ftruncate(fd, CAPACITY);
        long addr = Host.mmap(0, CAPACITY, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
        this.mapping = MemorySegment.ofAddress(addr).reinterpret(CAPACITY);
    }

    /** The Sentry's memory file, created on first use. */
    public static MemoryFile get() {
        MemoryFile m = instance;
        if (m != null) return m;
        synchronized (MemoryFile.class) {
            if (instance == null) instance = new MemoryFile();
            return instance;
        }
    }

    public int fd() { return fd; }

    /** The Sentry's view of the whole file. */
    public MemorySegment mapping() { return mapping; }

    /** Allocates {@code length} bytes (rounded up to pages) of zeroed memory; returns the file offset. */
    public synchronized long allocate(long length) {
        long len = roundUp(length);
        for (Map.Entry<Long, Long> e : free.entrySet()) {
            // Read both before removing: TreeMap reuses a deleted entry's node for its successor.
            long off = e.getKey(), have = e.getValue();
            if (have >= len) {
                free.remove(off);
                if (have > len) free.put(off + len, have - len);
                allocatedBytes += len;
                return off;
            }
        }
        if (bump + len > CAPACITY) throw new OutOfMemoryError("application memory file exhausted");
        long off = bump;
        bump += len;
        allocatedBytes += len;
        return off;
    }

    /** Returns a range to the host and to the free list. */
    public synchronized void free(long offset, long length) {
        long len = roundUp(length);
        decommit(offset, len);
        allocatedBytes -= len;
        long start = offset, end = offset + len;
        Map.Entry<Long, Long> before = free.floorEntry(start);
        if (before != null && before.getKey() + before.getValue() == start) {
            start = before.getKey();
            free.remove(start);
        }
        Long afterLen = free.remove(end);
        if (afterLen != null) end += afterLen;
        if (end == bump) {
            bump = start; // give the tail back to the bump pointer
        } else {
            free.put(start, end - start);
        }
    }

    /** Gives the pages of a range back to the host; they read as zero afterwards. */
    public void decommit(long offset, long length) {
        if (length <= 0) return;
        Host.fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, roundUp(length));
    }

    /** Bytes currently allocated to address spaces (virtual, not resident). */
    public synchronized long allocatedBytes() { return allocatedBytes; }

    static long roundUp(long v) { return (v + PAGE - 1) & -PAGE; }
}
