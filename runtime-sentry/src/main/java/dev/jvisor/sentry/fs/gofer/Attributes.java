package dev.jvisor.sentry.fs.gofer;

import dev.jvisor.p9.Attr;
import dev.jvisor.p9.SetattrRequest;
import dev.jvisor.sentry.vfs.Stat;

/** Conversions between 9P attributes and the Sentry's, shared by every gofer inode type. */
final class Attributes {
    private Attributes() {}

    static Stat stat(long dev, Attr a) {
        return new Stat(dev, a.qid().path(), a.mode(), (int) a.nlink(), a.uid(), a.gid(), a.rdev(), a.size(),
                a.blksize() > 0 ? (int) a.blksize() : 4096, a.blocks(),
                nanos(a.atimeSec(), a.atimeNsec()), nanos(a.mtimeSec(), a.mtimeNsec()), nanos(a.ctimeSec(), a.ctimeNsec()));
    }

    static long nanos(long sec, long nsec) {
        return sec * 1_000_000_000L + nsec;
    }

    static void chmod(RemoteFile r, int perm) {
        r.setattr(new SetattrRequest(SetattrRequest.ATTR_MODE | SetattrRequest.ATTR_CTIME, perm & 07777, 0, 0, 0, 0, 0, 0, 0));
    }

    /** {@code -1} leaves an id unchanged, as chown(2) does. */
    static void chown(RemoteFile r, int uid, int gid) {
        int valid = SetattrRequest.ATTR_CTIME;
        if (uid != -1) valid |= SetattrRequest.ATTR_UID;
        if (gid != -1) valid |= SetattrRequest.ATTR_GID;
        r.setattr(new SetattrRequest(valid, 0, uid, gid, 0, 0, 0, 0, 0));
    }

    /** {@link Long#MIN_VALUE} leaves a time unchanged (the Inode contract). */
    static void setTimes(RemoteFile r, long atimeNs, long mtimeNs) {
        int valid = SetattrRequest.ATTR_CTIME;
        long as = 0, an = 0, ms = 0, mn = 0;
        if (atimeNs != Long.MIN_VALUE) {
            valid |= SetattrRequest.ATTR_ATIME | SetattrRequest.ATTR_ATIME_SET;
            as = Math.floorDiv(atimeNs, 1_000_000_000L);
            an = Math.floorMod(atimeNs, 1_000_000_000L);
        }
        if (mtimeNs != Long.MIN_VALUE) {
            valid |= SetattrRequest.ATTR_MTIME | SetattrRequest.ATTR_MTIME_SET;
            ms = Math.floorDiv(mtimeNs, 1_000_000_000L);
            mn = Math.floorMod(mtimeNs, 1_000_000_000L);
        }
        r.setattr(new SetattrRequest(valid, 0, 0, 0, 0, as, an, ms, mn));
    }
}
