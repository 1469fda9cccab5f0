package dev.jvisor.sentry.fs.tmpfs;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.sentry.mm.SharedMemory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
import java.util.Arrays;

/**
 * The bytes of a regular file. They live in 64 KiB heap blocks (unwritten blocks are holes that
 * read as zero) until the file is first mapped MAP_SHARED; then they move into sandbox shared
 * memory, so that reads, writes and every mapping see the same pages. A copy of a read-only
 * file may instead start as that host file itself ({@link #adoptHostFile}): read and mapped
 * where it is, and moved into sandbox memory only when something would change it.
 */
public final class FileData {
    private static final int BLOCK = 64 * 1024;
    /** Largest file tmpfs accepts (like a size= mount option). */
    public static final long MAX_SIZE = 1L << 34;
    /** Room reserved for a file in shared memory: virtual, costs nothing until written. */
    private static final long MIN_SHARED_CAPACITY = 256L << 20;
    private static final Cleaner CLEANER = Cleaner.create();

    private byte[][] blocks = new byte[0][];
    private long size;
    /** The filesystem's size limit, or null for none. */
    private final SizeBudget budget;
    /** Bytes this file holds of {@link #budget}: its size in whole pages, while it is linked. */
    private long charged;
    private boolean released;

    public FileData() {
        this(null);
    }

    public FileData(SizeBudget budget) {
        this.budget = budget;
    }

    /**
     * How many of {@code len} bytes at {@code pos} fit in the filesystem's size limit, taking
     * the pages they need; ENOSPC when not one does (a short write otherwise, as on Linux).
     */
    private int fitInBudget(long pos, int len) {
        if (budget == null || released || len == 0) return len;
        long need = SizeBudget.pages(pos + len) - charged;
        if (need <= 0) return len;
        long got = budget.takeUpTo(need);
        charged += got;
        if (got == need) return len;
        long room = charged - pos;
        if (room <= 0) throw dev.jvisor.abi.linux.Errno.ENOSPC.exception();
        return (int) Math.min(len, room);
    }

    /** Gives back the pages beyond {@code newSize} (or takes them for a file truncated upwards). */
    private void rechargeFor(long newSize) {
        if (budget == null || released) return;
        long want = SizeBudget.pages(newSize);
        if (want < charged) {
            budget.give(charged - want);
            charged = want;
        } else if (want > charged) {
            long got = budget.takeUpTo(want - charged);
            if (got < want - charged) {
                budget.give(got);
                throw dev.jvisor.abi.linux.Errno.ENOSPC.exception();
            }
            charged = want;
        }
    }

    /** The file's last link went: its pages no longer count against the filesystem. */
    public synchronized void releaseBudget() {
        if (budget == null || released) return;
        budget.give(charged);
        charged = 0;
        released = true;
    }
    private SharedMemory mem;
    private MemorySegment seg;
    /** Whether {@link #mem} is a read-only host file ({@link SharedMemory#mapHostFile}), not sandbox memory. */
    private boolean hostBacked() { return mem != null && mem.hostFile() != null; }
    /** Releases {@link #mem} when the file is collected; registered with the first memory. */
    private Holder holder;

    /** What the cleaner releases: the file's current memory (swapped when a host file moves into sandbox memory). */
    private static final class Holder implements Runnable {
        volatile SharedMemory held;

        @Override
        public void run() {
            SharedMemory m = held;
            if (m != null) m.release();
        }
    }

    private void hold(SharedMemory m) {
        if (holder == null) {
            holder = new Holder();
            CLEANER.register(this, holder);
        }
        SharedMemory old = holder.held;
        holder.held = m;
        if (old != null) old.release();
    }

    public synchronized long size() { return size; }

    /**
     * The file's pages as shared memory, moving them there on first use; {@code atLeast} bytes
     * must fit. The file keeps its own reference; mappings take theirs.
     */
    public synchronized SharedMemory sharedMemory(long atLeast) {
        if (hostBacked()) moveIntoMemory(atLeast);
        if (mem == null) {
            long cap = sharedCapacity(atLeast);
            if (atLeast > cap) throw Errno.ENOMEM.exception();
            SharedMemory m = SharedMemory.allocate(cap);
            MemorySegment s = m.segment();
            for (int i = 0; i < blocks.length; i++) {
                if (blocks[i] == null) continue;
                long at = (long) i * BLOCK;
                int n = (int) Math.min(BLOCK, size - at);
                if (n > 0) MemorySegment.copy(blocks[i], 0, s, ValueLayout.JAVA_BYTE, at, n);
            }
            blocks = null;
            mem = m;
            seg = s;
            hold(m);
        }
        if (atLeast > mem.length()) throw Errno.ENOMEM.exception();
        return mem;
    }

    /**
     * Makes this empty file's content the first {@code length} bytes of the read-only host file
     * {@code pages} (its reference taken over), left where it is: reads and read-only mappings
     * use it directly; the first write, truncation or shared mapping copies it into sandbox
     * memory. The caller guarantees nobody changes the host file meanwhile.
     */
    public synchronized void adoptHostFile(SharedMemory pages, long length) {
        if (size != 0 || mem != null || pages.hostFile() == null || length != pages.length()) {
            pages.release();
            throw new IllegalStateException("a host file replaces only an empty file's content, whole");
        }
        rechargeFor(length);
        blocks = null;
        mem = pages;
        seg = pages.segment();
        size = length;
        hold(pages);
    }

    /**
     * The pages a read-only private mapping of at least {@code atLeast} bytes maps: the host
     * file itself while the content is one (its pages past the end fault in the mapping, as a
     * file's do), else the file's shared memory.
     */
    public synchronized SharedMemory pagesToMap(long atLeast) {
        return hostBacked() ? mem : sharedMemory(atLeast);
    }

    /** Room to reserve in shared memory for this file and {@code atLeast} bytes: twice that, within the bounds. */
    private long sharedCapacity(long atLeast) {
        return Math.min(MAX_SIZE, Math.max(MIN_SHARED_CAPACITY, Math.max(size, atLeast) * 2));
    }

    /** Copies a host file's content into sandbox shared memory, which holds it from then on. */
    private void moveIntoMemory(long atLeast) {
        long cap = sharedCapacity(atLeast);
        SharedMemory m = SharedMemory.allocate(cap);
        MemorySegment s = m.segment();
        long done = dev.jvisor.sentry.mm.MemoryFile.get().copyFrom(mem.hostFile().fd(), 0, m.fileOffset(), size);
        if (done < size) MemorySegment.copy(seg, done, s, done, size - done);
        mem = m;
        seg = s;
        hold(m);
    }

    /**
     * Where {@link #fill} takes a file's bytes from: fills {@code dst} with the bytes at
     * {@code offset}, returning how many it read (fewer only at end of file), or -1 when the
     * bytes cannot be had this way (the caller then copies them another way).
     */
    @FunctionalInterface
    public interface ContentSource {
        long read(MemorySegment dst, long offset);
    }

    /**
     * Makes this empty file's content the {@code length} bytes {@code source} reads, all or
     * nothing: into the file's shared memory directly when it has some (no heap copy at all),
     * else block by block through one native scratch buffer. On a short read or -1 the file is
     * left empty and false returned, so that a partial copy is never taken for the file.
     */
    public synchronized boolean fill(long length, ContentSource source) {
        if (hostBacked()) throw new IllegalStateException("content already adopted");
        if (size != 0 || length < 0 || length > MAX_SIZE) throw Errno.EINVAL.exception();
        if (length == 0) return true;
        rechargeFor(length);
        boolean complete = false;
        try {
            complete = seg != null ? fillShared(length, source) : fillBlocks(length, source);
        } finally {
            if (complete) {
                size = length;
            } else {
                if (seg != null) {
                    // Whole pages go back to the host; the last partial one is zeroed in place.
                    mem.discard(0, length);
                    long tail = length & -dev.jvisor.sentry.mm.MemoryFile.PAGE;
                    if (tail < length) seg.asSlice(tail, length - tail).fill((byte) 0);
                } else {
                    Arrays.fill(blocks, null);
                }
                rechargeFor(0);
            }
        }
        return complete;
    }

    private boolean fillShared(long length, ContentSource source) {
        if (length > seg.byteSize()) throw Errno.EFBIG.exception();
        return source.read(seg.asSlice(0, length), 0) == length;
    }

    private boolean fillBlocks(long length, ContentSource source) {
        ensureBlocks(length);
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment scratch = arena.allocate(Math.min(BLOCK, length));
            for (long at = 0; at < length; at += BLOCK) {
                int n = (int) Math.min(BLOCK, length - at);
                if (source.read(scratch.asSlice(0, n), at) != n) return false;
                byte[] block = new byte[BLOCK];
                MemorySegment.copy(scratch, ValueLayout.JAVA_BYTE, 0, block, 0, n);
                blocks[(int) (at / BLOCK)] = block;
            }
        }
        return true;
    }

    public synchronized int read(long pos, byte[] dst, int off, int len) {
        if (pos >= size || len == 0) return 0;
        int n = (int) Math.min(len, size - pos);
        if (seg != null) {
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, pos, dst, off, n);
            return n;
        }
        int done = 0;
        while (done < n) {
            long p = pos + done;
            int bi = (int) (p / BLOCK), bo = (int) (p % BLOCK);
            int chunk = Math.min(n - done, BLOCK - bo);
            byte[] blk = bi < blocks.length ? blocks[bi] : null;
            if (blk == null) Arrays.fill(dst, off + done, off + done + chunk, (byte) 0);
            else System.arraycopy(blk, bo, dst, off + done, chunk);
            done += chunk;
        }
        return n;
    }

    /**
     * Copies file bytes at {@code pos} straight into application memory — one copy, no
     * intermediate buffer; EFAULT from the address space leaves the file untouched.
     */
    public synchronized int readTo(dev.jvisor.sentry.mm.AddressSpace as, long addr, long pos, int len) {
        if (pos >= size || len == 0) return 0;
        int n = (int) Math.min(len, size - pos);
        if (seg != null) {
            as.write(addr, seg, pos, n);
            return n;
        }
        int done = 0;
        while (done < n) {
            long p = pos + done;
            int bi = (int) (p / BLOCK), bo = (int) (p % BLOCK);
            int chunk = Math.min(n - done, BLOCK - bo);
            byte[] blk = bi < blocks.length ? blocks[bi] : null;
            if (blk == null) as.zero(addr + done, chunk);
            else as.write(addr + done, blk, bo, chunk);
            done += chunk;
        }
        return n;
    }

    public synchronized int write(long pos, byte[] src, int off, int len) {
        if (pos < 0) throw Errno.EINVAL.exception();
        if (pos + len > MAX_SIZE) throw Errno.EFBIG.exception();
        if (hostBacked()) moveIntoMemory(0);
        len = fitInBudget(pos, len);
        if (seg != null) {
            if (pos + len > seg.byteSize()) throw Errno.EFBIG.exception();
            MemorySegment.copy(src, off, seg, ValueLayout.JAVA_BYTE, pos, len);
            if (pos + len > size) size = pos + len;
            return len;
        }
        ensureBlocks(pos + len);
        int done = 0;
        while (done < len) {
            long p = pos + done;
            int bi = (int) (p / BLOCK), bo = (int) (p % BLOCK);
            int chunk = Math.min(len - done, BLOCK - bo);
            if (blocks[bi] == null) blocks[bi] = new byte[BLOCK];
            System.arraycopy(src, off + done, blocks[bi], bo, chunk);
            done += chunk;
        }
        if (pos + len > size) size = pos + len;
        return len;
    }

    public synchronized void truncate(long length) {
        if (length < 0) throw Errno.EINVAL.exception();
        if (length > MAX_SIZE) throw Errno.EFBIG.exception();
        if (hostBacked()) moveIntoMemory(length);
        rechargeFor(length);
        if (seg != null) {
            if (length > seg.byteSize()) throw Errno.EFBIG.exception();
            if (length < size) {
                long pageEnd = Math.min(size, (length + 4095) & -4096L);
                seg.asSlice(length, pageEnd - length).fill((byte) 0);
                mem.discard(pageEnd, size - pageEnd);
            }
            size = length;
            return;
        }
        if (length < size) {
            int keep = (int) ((length + BLOCK - 1) / BLOCK);
            for (int i = keep; i < blocks.length; i++) blocks[i] = null;
            int bo = (int) (length % BLOCK);
            if (bo != 0 && keep - 1 < blocks.length && blocks[keep - 1] != null) {
                Arrays.fill(blocks[keep - 1], bo, BLOCK, (byte) 0);
            }
        } else {
            ensureBlocks(length);
        }
        size = length;
    }

    /** SEEK_DATA / SEEK_HOLE at block granularity (everything is data once in shared memory). */
    public synchronized long seekData(long pos, boolean data) {
        if (pos >= size) throw Errno.ENXIO.exception();
        if (seg != null) return data ? pos : size;
        for (long p = pos; p < size; p = (p / BLOCK + 1) * BLOCK) {
            int bi = (int) (p / BLOCK);
            boolean has = bi < blocks.length && blocks[bi] != null;
            if (has == data) return p;
        }
        return data ? -1 : size;
    }

    private void ensureBlocks(long end) {
        int need = (int) ((end + BLOCK - 1) / BLOCK);
        if (need > blocks.length) blocks = Arrays.copyOf(blocks, Math.max(need, blocks.length * 2));
    }

    /** Bytes of memory the file holds. */
    public synchronized long allocated() {
        if (seg != null) return (size + 4095) & -4096L;
        long n = 0;
        for (byte[] b : blocks) if (b != null) n += BLOCK;
        return n;
    }
}
