package dev.jvisor.sentry.fs.gofer;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.OpenFile;
import dev.jvisor.sentry.vfs.Stat;

/**
 * A FIFO, socket or device node on the Gofer: visible to stat and readdir, but never opened
 * through it (the Gofer refuses, so a container cannot reach a host device or a host socket).
 */
public final class GoferSpecial extends Inode {
    private final RemoteFile remote;
    private final int type;

    GoferSpecial(RemoteFile remote, int type) {
        super(remote.gofer.fs(), type, 0, 0);
        this.remote = remote;
        this.type = type;
    }

    @Override public int type() { return type; }
    RemoteFile remote() { return remote; }

    @Override public long ino() { return remote.attr().qid().path(); }
    @Override public int mode() { return remote.attr().mode(); }
    @Override public int uid() { return remote.attr().uid(); }
    @Override public int gid() { return remote.attr().gid(); }
    @Override public int nlink() { return (int) remote.attr().nlink(); }
    @Override public long size() { return 0; }
    @Override public long rdev() { return remote.attr().rdev(); }
    @Override public Stat stat() { return Attributes.stat(fs.dev(), remote.attr()); }
    @Override public void chmod(int perm) { Attributes.chmod(remote, perm); }
    @Override public void chown(int uid, int gid) { Attributes.chown(remote, uid, gid); }
    @Override public void setTimes(long atime, long mtime) { Attributes.setTimes(remote, atime, mtime); }

    @Override
    public OpenFile open(Location loc, String path, int flags) {
        throw (type == FileMode.S_IFSOCK ? Errno.ENXIO : Errno.EPERM).exception();
    }
}
