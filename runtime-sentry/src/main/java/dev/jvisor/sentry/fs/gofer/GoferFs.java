package dev.jvisor.sentry.fs.gofer;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.p9.P9Client;
import dev.jvisor.sentry.vfs.FileSystem;

/** One Gofer attach point mounted in the Sentry: the 9P connection, the cache policy and the inodes' filesystem. */
public final class GoferFs {
    /** V9FS_MAGIC, include/uapi/linux/magic.h: what statfs(2) reports for a 9P mount. */
    public static final long V9FS_MAGIC = 0x01021997;

    /** How far the Sentry may trust what it has seen (gVisor's {@code --file-access}). */
    public enum CacheMode {
        /** The sandbox is the only writer: attributes and directory entries are cached. */
        EXCLUSIVE,
        /** Others may change the files: every lookup walks and every attribute read asks the Gofer. */
        SHARED
    }

    /** A 9P request, for {@link #call}. */
    @FunctionalInterface
    interface Request<T> {
        T send() throws dev.jvisor.abi.ErrnoException;
    }

    /** Fids kept open for sharing, per connection: a quarter of the Gofer's 16384-fid limit. */
    private static final int CACHED_FID_BUDGET = 4096;

    private final P9Client client;
    private final java.util.concurrent.atomic.AtomicInteger cachedFids = new java.util.concurrent.atomic.AtomicInteger();
    private final FileSystem fs;
    private final CacheMode cacheMode;
    /**
     * System property: {@code false} makes the Sentry read lower files through Tread only, never
     * asking the Gofer to lend a descriptor (to compare the two paths, or to rule one out).
     */
    public static final String LEND_DESCRIPTORS = "jvisor.gofer.lendDescriptors";

    /** False once the Gofer said it lends no descriptors (Tdonatefd): not asked again. */
    private volatile boolean lendsDescriptors = !"false".equals(System.getProperty(LEND_DESCRIPTORS));

    private GoferFs(P9Client client, CacheMode cacheMode, boolean readOnly) {
        this.client = client;
        this.cacheMode = cacheMode;
        this.fs = new FileSystem("9p", V9FS_MAGIC, readOnly);
    }

    /**
     * Attaches to tree {@code aname} of the Gofer behind {@code client} as root and returns the
     * root directory. The connection stays owned by the caller.
     */
    public static GoferDir mount(P9Client client, String aname, CacheMode cacheMode, boolean readOnly) {
        GoferFs g = new GoferFs(client, cacheMode, readOnly);
        int fid = g.call(() -> client.attach("root", aname, 0));
        return GoferDir.root(g, fid);
    }

    P9Client client() { return client; }
    FileSystem fs() { return fs; }
    boolean cached() { return cacheMode == CacheMode.EXCLUSIVE; }
    public CacheMode cacheMode() { return cacheMode; }

    boolean lendsDescriptors() { return lendsDescriptors; }

    /** False once the Gofer did not know Tlistdir: directories are then listed through an opened fid. */
    private volatile boolean listsUnopened = true;

    boolean listsUnopened() { return listsUnopened; }

    void noUnopenedListing() { listsUnopened = false; }

    /** The Gofer does not know Tdonatefd (or the transport cannot carry descriptors). */
    void noLentDescriptors() { lendsDescriptors = false; }

    /** Reserves room for one more long-lived open fid; false when the budget is spent. */
    boolean takeCachedFid() {
        if (cachedFids.incrementAndGet() <= CACHED_FID_BUDGET) return true;
        cachedFids.decrementAndGet();
        return false;
    }

    void returnCachedFid() {
        cachedFids.decrementAndGet();
    }

    /** Sends a request, turning the Gofer's Rlerror into the Sentry's errno. */
    <T> T call(Request<T> r) {
        try {
            return r.send();
        } catch (dev.jvisor.abi.ErrnoException e) {
            throw toSentry(e).exception();
        }
    }

    /** Whether a request failed with {@code errno} (after {@link #call}) because the Gofer does not know it. */
    static boolean unknownToGofer(Errno errno) {
        return P9Client.isUnknownToServer(dev.jvisor.abi.Errno.ofOr(errno.number(), dev.jvisor.abi.Errno.EIO));
    }

    /** The Sentry's errno for a Gofer errno (same Linux numbers); EIO for one the Sentry does not know. */
    static Errno toSentry(dev.jvisor.abi.ErrnoException e) {
        Errno mapped = Errno.of(e.errno().number());
        return mapped == null ? Errno.EIO : mapped;
    }

    /** The fid of the last attribute read of a regular file, exclusive mode; see {@link #park}. */
    private final java.util.concurrent.atomic.AtomicReference<ParkedFid> parked = new java.util.concurrent.atomic.AtomicReference<>();

    private record ParkedFid(RemoteFile owner, int fid) {}

    /**
     * Keeps {@code fid}, just walked to {@code owner} to read its attributes, for the open that
     * usually follows (open(2) and execve check the mode first): that open then needs no walk of
     * its own. One fid at most is parked per connection; the one it displaces is clunked.
     */
    void park(RemoteFile owner, int fid) {
        ParkedFid old = parked.getAndSet(new ParkedFid(owner, fid));
        if (old != null) DeferredClunks.release(this, old.fid());
    }

    /** The fid parked for {@code owner}, now the caller's to clunk, or -1. */
    int unpark(RemoteFile owner) {
        ParkedFid p = parked.get();
        return p != null && p.owner() == owner && parked.compareAndSet(p, null) ? p.fid() : -1;
    }

    /** Clunks a fid, ignoring failure: the fid is gone either way. */
    void release(int fid) {
        try {
            client.clunk(fid);
        } catch (dev.jvisor.abi.ErrnoException ignored) {
            // the server dropped it already or the connection is closing
        }
    }
}
