package dev.jvisor.sentry.mm;

import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.host.Host;
import dev.jvisor.sentry.host.HostException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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

    /**
     * Copies up to {@code length} bytes of host file {@code src} from {@code srcOffset} into this
     * file at {@code offset}, inside the kernel (splice through a pipe): about half the time of
     * pread into the mapping, which faults in each destination page on the way. Returns the
     * bytes copied: fewer at the end of {@code src} or when the host refuses part way (the caller
     * copies the rest another way).
     */
    public long copyFrom(int src, long srcOffset, long offset, long length) {
        int[] pipe;
        try {
            pipe = Host.pipe2(FileMode.O_CLOEXEC);
        } catch (HostException e) {
            return 0;
        }
        try (Arena arena = Arena.ofConfined()) {
            try {
                Host.fcntl(pipe[1], FileMode.F_SETPIPE_SZ, SPLICE_CHUNK);   // fewer round trips; the default 64 KiB still works
            } catch (HostException ignored) {
                // above the host's pipe-max-size
            }
            MemorySegment offsets = arena.allocate(16, 8);   // {loff_t in, loff_t out}, advanced by the kernel
            offsets.set(ValueLayout.JAVA_LONG, 0, srcOffset);
            offsets.set(ValueLayout.JAVA_LONG, 8, offset);
            long done = 0;
            while (done < length) {
                long in = Host.splice(src, offsets.address(), pipe[1], 0, Math.min(SPLICE_CHUNK, length - done), SPLICE_F_MOVE);
                if (in == 0) break;
                for (long out = 0; out < in; ) {
                    out += Host.splice(pipe[0], 0, fd, offsets.address() + 8, in - out, SPLICE_F_MOVE);
                }
                done += in;
            }
            return done;
        } catch (HostException e) {
            // What reached this file is whole; what was still in the pipe is not: report only the former.
            return 0;
        } finally {
            Host.close(pipe[0]);
            Host.close(pipe[1]);
        }
    }

    /** include/uapi/linux/splice.h */
    private static final int SPLICE_F_MOVE = 1;
    private static final int SPLICE_CHUNK = 1 << 20;

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
