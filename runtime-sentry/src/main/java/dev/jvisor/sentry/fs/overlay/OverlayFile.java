package dev.jvisor.sentry.fs.overlay;

import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.fs.gofer.GoferFile;
import dev.jvisor.sentry.fs.gofer.LentFile;
import dev.jvisor.sentry.fs.tmpfs.RegularInode;
import dev.jvisor.sentry.mm.SharedMemory;
import dev.jvisor.sentry.vfs.FileSystem;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.OpenFile;
import dev.jvisor.sentry.vfs.Stat;

/**
 * A regular file of the lower layer. Its content is brought into a tmpfs file in sandbox memory
 * on the first open for writing (or truncation) — the copy-up — or, when it fits the overlay's
 * page-cache budget, on the first open at all: the lower layer is read-only and the sandbox its
 * only user, so that copy is exact and later opens and reads cost no Gofer round trip. Larger
 * files are read from the Gofer until written. Metadata (mode, owner, times) lives here from the
 * first change on, so a chmod copies up only the metadata.
 */
public final class OverlayFile extends Inode implements LowerBacked {
    /** Bytes per Tread while copying up. */
    private static final int COPY_CHUNK = 1 << 20;
    /**
     * From this size on the copy goes straight into sandbox memory rather than the Java heap:
     * such files are mostly programs and libraries, which are mapped anyway, and tens of MiB of
     * heap blocks would cost the Sentry garbage-collection time. Smaller files stay on the heap
     * until mapped, as each file in sandbox memory reserves a range of it.
     */
    private static final long DIRECT_COPY_BYTES = 512 << 10;

    private final GoferFile lower;
    private final PageCacheBudget budget;
    private RegularInode upper;
    /**
     * The copy was opened for writing or truncated: its size and blocks are the file's from then
     * on. A copy made only to read from (the page cache) leaves them the lower file's, as
     * overlayfs shows a file the sandbox only read.
     */
    private boolean written;

    OverlayFile(FileSystem fs, GoferFile lower, PageCacheBudget budget) {
        super(fs, FileMode.S_IFREG, 0, 0);
        this.lower = lower;
        this.budget = budget;
    }

    /** Whether the content has been copied into memory. */
    public synchronized boolean copiedUp() { return upper != null; }

    private void loadAttrs() {
        adoptAttributesOnce(lower::stat);
    }

    /**
     * Copies the lower content into memory, once; the caller then writes to the copy, or (with
     * {@code forReading}, a page-cache fill) only reads and maps it. The bytes come through a
     * descriptor the Gofer lends when it does ({@link #copyLent}), else through Tread.
     */
    private RegularInode copyUp(boolean forReading) {
        loadAttrs();
        synchronized (this) {
            if (!forReading) written = true;
            if (upper != null) return upper;
            RegularInode copy = new RegularInode(fs, mode & 07777, uid, gid);
            long expected = lower.size();
            boolean large = forReading && expected >= DIRECT_COPY_BYTES;
            boolean inPlace = large && budget.mapsInPlace();
            // Lent for every size: measured faster than Tread for small files too (fewer round trips).
            if (!(inPlace && adoptLent(copy, expected))) {
                if (large) copy.data().sharedMemory(expected);
                if (!copyLent(copy, expected)) copyThroughTread(copy);
            }
            copy.setTimes(atimeNs, mtimeNs);
            upper = copy;
            return copy;
        }
    }

    /**
     * Copies the content with pread on a host descriptor the Gofer lends, straight into the
     * copy's sandbox memory (or its heap blocks): one round trip and one copy instead of a Tread
     * per MiB. False, with the copy left empty, when the Gofer lends none or the file is not the
     * size it was when it was looked up or cannot be read whole: Tread then does the copy.
     */
    private boolean copyLent(RegularInode copy, long expected) {
        try (LentFile lent = lower.lend()) {
            return lent != null && lent.size() == expected && copy.data().fill(expected, lent::read);
        }
    }

    /**
     * Makes the copy's content the host file the Gofer lends, mapped where it is rather than
     * copied (see {@link dev.jvisor.sentry.mm.HostFile}): a program or library is then paged in by
     * the host as the sandbox touches it, and copied only if written. False when the Gofer lends
     * none, the file changed size, or the host will not map it.
     */
    private boolean adoptLent(RegularInode copy, long expected) {
        try (LentFile lent = lower.lend()) {
            if (lent == null || lent.size() != expected) return false;
            SharedMemory pages = lent.mapPages();
            if (pages == null) return false;
            copy.data().adoptHostFile(pages, expected);
            return true;
        }
    }

    private void copyThroughTread(RegularInode copy) {
        OpenFile in = lower.open(null, "", FileMode.O_RDONLY);
        try {
            byte[] buf = new byte[COPY_CHUNK];
            long pos = 0;
            while (true) {
                int n = in.pread(null, buf, 0, buf.length, pos);
                if (n <= 0) break;
                copy.data().write(pos, buf, 0, n);
                pos += n;
            }
        } finally {
            in.release();
        }
    }

    @Override public int type() { return FileMode.S_IFREG; }
    @Override public int mode() { loadAttrs(); return super.mode(); }
    @Override public int uid() { loadAttrs(); return super.uid(); }
    @Override public int gid() { loadAttrs(); return super.gid(); }

    @Override
    public long size() {
        RegularInode u;
        synchronized (this) {
            u = upper;
        }
        return u != null ? u.size() : lower.size();
    }

    @Override
    public Stat stat() {
        loadAttrs();
        RegularInode u;
        Stat own;
        synchronized (this) {
            u = written ? upper : null;
            own = super.stat();
        }
        if (u == null) {
            Stat l = lower.stat();
            // Linked once here, a lower file counts its host hard links, as overlayfs shows them.
            int nlink = own.nlink() == 1 ? l.nlink() : own.nlink();
            return new Stat(own.dev(), own.ino(), own.mode(), nlink, own.uid(), own.gid(), 0, l.size(),
                    l.blksize(), l.blocks(), own.atimeNs(), own.mtimeNs(), own.ctimeNs());
        }
        Stat c = u.stat();
        return new Stat(own.dev(), own.ino(), own.mode(), own.nlink(), own.uid(), own.gid(), 0, c.size(),
                c.blksize(), c.blocks(), c.atimeNs(), c.mtimeNs(), Math.max(own.ctimeNs(), c.ctimeNs()));
    }

    @Override public void chmod(int perm) { loadAttrs(); super.chmod(perm); }
    @Override public void chown(int u, int g) { loadAttrs(); super.chown(u, g); }
    @Override public void touchChanged() { loadAttrs(); super.touchChanged(); }

    @Override
    public void setTimes(long atime, long mtime) {
        loadAttrs();
        super.setTimes(atime, mtime);
        RegularInode u;
        synchronized (this) {
            u = upper;
        }
        if (u != null) u.setTimes(atime, mtime);
    }

    @Override
    public void touchModified() {
        loadAttrs();
        super.touchModified();
        RegularInode u;
        synchronized (this) {
            u = upper;
        }
        if (u != null) u.touchModified();
    }

    @Override
    public void truncate(long length) {
        copyUp(false).truncate(length);
    }

    @Override
    public OpenFile open(Location loc, String path, int flags) {
        boolean writes = (flags & FileMode.O_ACCMODE) != FileMode.O_RDONLY || (flags & FileMode.O_TRUNC) != 0;
        RegularInode u = writes ? copyUp(false) : currentUpper();
        if (u == null && budget.take(lower.size())) u = copyUp(true);
        return u != null ? u.open(loc, path, flags) : lower.open(loc, path, flags);
    }

    private synchronized RegularInode currentUpper() { return upper; }

    /** The in-memory copy of the content (taken on open when it fit the page-cache budget, or on the first write), or null. */
    public RegularInode cachedContent() { return currentUpper(); }
}
