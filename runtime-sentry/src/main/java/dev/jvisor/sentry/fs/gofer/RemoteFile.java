package dev.jvisor.sentry.fs.gofer;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.ErrnoException;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.p9.Attr;
import dev.jvisor.p9.Qid;
import dev.jvisor.p9.SetattrRequest;

import java.util.List;

/**
 * Where one gofer inode lives on the Gofer: its parent and name (to walk to it), a fid kept for
 * directories (they are walked from), and its cached attributes. Regular files and symlinks hold
 * no fid between operations, so a large tree never exhausts the connection's fids.
 */
final class RemoteFile {
    final GoferFs gofer;
    private GoferDir parent;
    private String name;
    private int fid = -1;
    private Attr attr;

    RemoteFile(GoferFs gofer, GoferDir parent, String name) {
        this.gofer = gofer;
        this.parent = parent;
        this.name = name;
    }

    /** The root of an attach: already has its fid. */
    static RemoteFile root(GoferFs gofer, int fid) {
        RemoteFile r = new RemoteFile(gofer, null, "");
        r.fid = fid;
        return r;
    }

    synchronized void moved(GoferDir newParent, String newName) {
        parent = newParent;
        name = newName;
    }

    synchronized GoferDir parentDir() { return parent; }
    synchronized String name() { return name; }

    /**
     * What a lookup asks the Gofer for: the attributes, and a fid only for a directory (walked
     * from) or a regular file (opened next): a link's target comes with the answer, and a fid for
     * it would only cost a Tclunk.
     */
    static final long LOOKUP_MASK = Attr.GETATTR_BASIC | dev.jvisor.p9.Tmessage.WalkGetattr.ONLY_DIRS_AND_FILES;

    /** A new fid for this file, which the caller must clunk. */
    int walkNew() {
        int kept;
        GoferDir p;
        String n;
        synchronized (this) {
            kept = fid;
            p = parent;
            n = name;
        }
        if (kept >= 0) return gofer.call(() -> walkClone(kept));
        int parkedHere = gofer.unpark(this);
        if (parkedHere >= 0) return parkedHere;
        int from = p.remote().keptFid();
        return gofer.call(() -> gofer.client().walk(from, n));
    }

    private int walkClone(int from) throws dev.jvisor.abi.ErrnoException {
        int nf = gofer.client().newFid();
        gofer.client().walk(from, nf, List.of());
        return nf;
    }

    /** A fid kept for the life of the inode (directories: every lookup walks from it). */
    int keptFid() {
        synchronized (this) {
            if (fid >= 0) return fid;
        }
        int nf = walkNew();
        synchronized (this) {
            if (fid >= 0) {
                gofer.release(nf);
                return fid;
            }
            fid = nf;
            return fid;
        }
    }

    /** Keeps {@code walked}, a fid the caller walked here, as this file's own. */
    synchronized void adoptFid(int walked) {
        if (fid >= 0) gofer.release(walked);
        else fid = walked;
    }

    /** Clunks the kept fid (the file is gone from the Gofer). */
    void dropFid() {
        int f;
        synchronized (this) {
            f = fid;
            fid = -1;
        }
        if (f >= 0) gofer.release(f);
    }

    /** The attributes, from the cache in exclusive mode. */
    Attr attr() {
        synchronized (this) {
            if (attr != null && gofer.cached()) return attr;
        }
        Attr fresh = fetch();
        synchronized (this) {
            attr = fresh;
            return fresh;
        }
    }

    /** The attributes held now, or null: never a request. */
    synchronized Attr cachedAttr() {
        return attr;
    }

    /** The attributes as the Gofer reports them now (O_APPEND writes need the current size). */
    Attr attrFresh() {
        invalidate();
        return attr();
    }

    /** Records attributes that came with a walk, saving a round trip. */
    synchronized void seed(Attr a) {
        attr = a;
    }

    private Attr fetch() {
        int kept;
        GoferDir p;
        String n;
        synchronized (this) {
            kept = fid;
            p = parent;
            n = name;
        }
        if (kept >= 0) return gofer.call(() -> gofer.client().getattr(kept, Attr.GETATTR_BASIC));
        int parked = gofer.unpark(this);
        if (parked >= 0) {
            try {
                Attr a = gofer.call(() -> gofer.client().getattr(parked, Attr.GETATTR_BASIC));
                gofer.park(this, parked);
                return a;
            } catch (RuntimeException e) {
                DeferredClunks.release(gofer, parked);
                throw e;
            }
        }
        // One round trip for the walk and the attributes (jVisor's Twalkgetattr), where a name
        // known from a listing used to cost a Twalk and a Tgetattr, and a directory a third walk
        // for the fid its own lookups start from.
        dev.jvisor.p9.P9Client.Walked w;
        try {
            int from = p.remote().keptFid();
            w = gofer.call(() -> gofer.client().walkAndGetattr(from, LOOKUP_MASK, n));
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EXDEV) throw e;
            return unservedMountPoint();
        }
        holdWalked(w.fid(), w.attr().mode() & FileMode.S_IFMT);
        return w.attr();
    }

    /**
     * Keeps or lets go of {@code walked}, the fid a lookup of this file (of {@code type}) brought:
     * a directory keeps it (its lookups start from it), a regular file in exclusive mode parks it
     * for the open that usually follows, anything else is clunked without waiting; -1 (a link or
     * special file, for which the Gofer kept none) is nothing to hold.
     */
    void holdWalked(int walked, int type) {
        if (walked < 0) return;
        if (type == FileMode.S_IFDIR) adoptFid(walked);
        else if (gofer.cached() && type == FileMode.S_IFREG) gofer.park(this, walked);
        else DeferredClunks.release(gofer, walked);   // only walked: nothing waits for its clunk
    }

    /**
     * Another host filesystem is mounted here and the Gofer does not cross mounts: the sandbox
     * sees an empty, read-only directory owned by root (its own /proc, /dev and /tmp mount over
     * the usual ones).
     */
    private Attr unservedMountPoint() {
        long now = System.currentTimeMillis() / 1000;
        return new Attr(Attr.GETATTR_BASIC, new Qid(Qid.QTDIR, 0, System.identityHashCode(this)),
                FileMode.S_IFDIR | 0555, 0, 0, 2, 0, 0, 4096, 0, now, 0, now, 0, now, 0, 0, 0, 0, 0);
    }

    /** Forgets cached attributes after a change the Sentry made or the Gofer reported. */
    synchronized void invalidate() {
        attr = null;
    }

    /** Sends a Tsetattr and drops the cached attributes. */
    void setattr(SetattrRequest req) {
        int kept;
        synchronized (this) {
            kept = fid;
        }
        try {
            if (kept >= 0) {
                gofer.call(() -> {
                    gofer.client().setattr(kept, req);
                    return null;
                });
            } else {
                int f = walkNew();
                try {
                    gofer.call(() -> {
                        gofer.client().setattr(f, req);
                        return null;
                    });
                } finally {
                    gofer.release(f);
                }
            }
        } finally {
            invalidate();
        }
    }
}
