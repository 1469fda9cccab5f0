package dev.jvisor.sentry.fs.gofer;

import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.p9.SetattrRequest;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.OpenFile;
import dev.jvisor.sentry.vfs.Stat;

/** A regular file on the Gofer; each open gets its own Tlopen'd fid. */
public final class GoferFile extends Inode {
    private final RemoteFile remote;
    /** The fid read-only opens share in exclusive mode; -1 until first needed. */
    private int readFid = -1;

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
        int access = flags & FileMode.O_ACCMODE;
        if (access == FileMode.O_RDONLY && remote.gofer.cached()) {
            int shared = sharedReadFid();
            if (shared >= 0) return new GoferOpenFile(loc, path, flags, this, shared, false);
        }
        return new GoferOpenFile(loc, path, flags, this, openFid(access), true);
    }

    /**
     * A read-only host descriptor of this file that the Gofer lends (jVisor's Tdonatefd), for
     * copying the content with pread(2) rather than a Tread per MiB; null when the Gofer lends
     * none (an older Gofer, a transport without descriptor passing, a file it will not lend).
     * The caller reads and closes it at once: the Sentry never keeps host descriptors of files.
     */
    public LentFile lend() {
        GoferFs g = remote.gofer;
        if (!g.lendsDescriptors()) return null;
        int shared;
        synchronized (this) {
            shared = readFid;
        }
        // The shared read fid, when there is one, saves a walk. Else the fid (usually the one parked
        // by the lookup) was only walked, and the Gofer clunks it with the same request.
        try {
            return new LentFile(shared >= 0 ? g.client().donateFd(shared) : g.client().donateFdAndClunk(remote.walkNew()));
        } catch (ErrnoException e) {
            if (dev.jvisor.p9.P9Client.isUnknownToServer(e.errno())) g.noLentDescriptors();
            return null;
        }
    }

    /** A new fid opened with {@code access} (the Sentry applies O_APPEND, O_TRUNC and O_CREAT itself). */
    private int openFid(int access) {
        int fid = remote.walkNew();
        try {
            remote.gofer.call(() -> remote.gofer.client().lopen(fid, access));
        } catch (RuntimeException e) {
            remote.gofer.release(fid);
            throw e;
        }
        return fid;
    }

    /**
     * In exclusive mode every read-only open shares one fid opened once (reads carry their own
     * offsets), so open+read+close costs one round trip instead of four; -1 when the Gofer
     * connection's budget for such fids is spent.
     */
    private int sharedReadFid() {
        synchronized (this) {
            if (readFid >= 0) return readFid;
        }
        if (!remote.gofer.takeCachedFid()) return -1;
        int fid;
        try {
            fid = openFid(FileMode.O_RDONLY);
        } catch (RuntimeException e) {
            remote.gofer.returnCachedFid();
            throw e;
        }
        synchronized (this) {
            if (readFid < 0) {
                readFid = fid;
                return fid;
            }
        }
        remote.gofer.release(fid);
        remote.gofer.returnCachedFid();
        synchronized (this) {
            return readFid;
        }
    }
}
