package dev.jvisor.sentry.fs.gofer;

import dev.jvisor.sentry.vfs.Stat;
import dev.jvisor.sentry.vfs.SymlinkInode;

/** A symbolic link on the Gofer; its target comes from Treadlink (cached in exclusive mode). */
public final class GoferSymlink extends SymlinkInode {
    private final RemoteFile remote;

    GoferSymlink(RemoteFile remote, TargetCache target) {
        super(remote.gofer.fs(), target, 0, 0);
        this.remote = remote;
    }

    /** A link whose target came with the walk that found it (Rwalkgetattr), or empty: unknown yet. */
    static GoferSymlink of(RemoteFile remote, String walkedTarget) {
        return new GoferSymlink(remote, new TargetCache(remote, walkedTarget));
    }

    RemoteFile remote() { return remote; }

    @Override public long ino() { return remote.attr().qid().path(); }
    @Override public int uid() { return remote.attr().uid(); }
    @Override public int gid() { return remote.attr().gid(); }
    @Override public int nlink() { return (int) remote.attr().nlink(); }
    @Override public Stat stat() { return Attributes.stat(fs.dev(), remote.attr()); }
    @Override public void chown(int uid, int gid) { Attributes.chown(remote, uid, gid); }
    @Override public void setTimes(long atime, long mtime) { Attributes.setTimes(remote, atime, mtime); }

    /**
     * Reads the target once per walk in shared mode, once per inode in exclusive mode; the walk
     * that found the link may have brought it already.
     */
    static final class TargetCache implements java.util.function.Supplier<String> {
        private final RemoteFile remote;
        private String cached;
        /** From the walk that found the link: served once even in shared mode, as a Treadlink right after it would be. */
        private boolean fresh;

        TargetCache(RemoteFile remote, String walkedTarget) {
            this.remote = remote;
            if (!walkedTarget.isEmpty()) {
                cached = walkedTarget;
                fresh = true;
            }
        }

        @Override
        public synchronized String get() {
            if (cached != null && (remote.gofer.cached() || fresh)) {
                fresh = false;
                return cached;
            }
            int fid = remote.walkNew();
            try {
                cached = remote.gofer.call(() -> remote.gofer.client().readlink(fid));
                return cached;
            } finally {
                DeferredClunks.release(remote.gofer, fid); // only walked: nothing waits for its clunk
            }
        }
    }
}
