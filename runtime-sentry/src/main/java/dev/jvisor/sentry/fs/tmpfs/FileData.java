package dev.jvisor.sentry.fs.tmpfs;

import dev.jvisor.abi.linux.Errno;

import java.util.Arrays;

/** The bytes of a regular file, in 64 KiB blocks; unwritten blocks are holes that read as zero. */
public final class FileData {
    private static final int BLOCK = 64 * 1024;
    /** Largest file tmpfs accepts (like a size= mount option). */
    public static final long MAX_SIZE = 1L << 34;
    private byte[][] blocks = new byte[0][];
    private long size;

    public synchronized long size() { return size; }

    public synchronized int read(long pos, byte[] dst, int off, int len) {
        if (pos >= size || len == 0) return 0;
        int n = (int) Math.min(len, size - pos);
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

    public synchronized int write(long pos, byte[] src, int off, int len) {
        if (pos < 0) throw Errno.EINVAL.exception();
        if (pos + len > MAX_SIZE) throw Errno.EFBIG.exception();
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

    /** SEEK_DATA / SEEK_HOLE at block granularity. */
    public synchronized long seekData(long pos, boolean data) {
        if (pos >= size) throw Errno.ENXIO.exception();
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
        long n = 0;
        for (byte[] b : blocks) if (b != null) n += BLOCK;
        return n;
    }
}
