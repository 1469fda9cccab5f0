package dev.jvisor.sentry.fs.gofer;

import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.p9.SetattrRequest;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.OpenFile;
import dev.jvisor.sentry.vfs.Stat;

/** A regular file on the Gofer; each open gets its own Tlopen'd fid. */
public final class GoferFile extends Inode {
    private final RemoteFile remote;

    GoferFile(RemoteFile remote) {
        super(remote.gofer.fs(), FileMode.S_IFREG, 0, 0);
        this.remote = remote;
    }

    RemoteFile remote() { return remote; }

    @Override public int type() { return FileMode.S_IFREG; }
    @Override public long ino() { return remote.attr().qid().path(); }
    @Override public int mode() { return remote.attr().mode(); }
    @Override public int uid() { return remote.attr().uid(); }
    @Override public int gid() { return remote.attr().gid(); }
    @Override public int nlink() { return (int) remote.attr().nlink(); }
    @Override public long size() { return remote.attr().size(); }
    @Override public Stat stat() { return Attributes.stat(fs.dev(), remote.attr()); }
    @Override public void chmod(int perm) { Attributes.chmod(remote, perm); }
    @Override public void chown(int uid, int gid) { Attributes.chown(remote, uid, gid); }
    @Override public void setTimes(long atime, long mtime) { Attributes.setTimes(remote, atime, mtime); }
    @Override public void touchModified() { remote.invalidate(); }
    @Override public void touchChanged() { remote.invalidate(); }

    @Override
    public void truncate(long length) {
        if (length < 0) throw dev.jvisor.abi.linux.Errno.EINVAL.exception();
        remote.setattr(SetattrRequest.truncate(length));
    }

    @Override
    public OpenFile open(Location loc, String path, int flags) {
        int fid = remote.walkNew();
        try {
            // The Sentry applies O_APPEND, O_TRUNC and O_CREAT itself; the Gofer sees only the access mode.
            int p9flags = flags & FileMode.O_ACCMODE;
            remote.gofer.call(() -> remote.gofer.client().lopen(fid, p9flags));
        } catch (RuntimeException e) {
            remote.gofer.release(fid);
            throw e;
        }
        return new GoferOpenFile(loc, path, flags, this, fid);
    }
}
