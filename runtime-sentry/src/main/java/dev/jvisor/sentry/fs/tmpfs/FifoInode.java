package dev.jvisor.sentry.fs.tmpfs;

import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.fs.pipe.Pipe;
import dev.jvisor.sentry.vfs.FileSystem;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.OpenFile;

/** A named pipe (mkfifo): each open is an end of one {@link Pipe}, which waits for the other end as Linux does. */
public final class FifoInode extends Inode {
    private final Pipe pipe = new Pipe();

    public FifoInode(FileSystem fs, int perm, int uid, int gid) {
        super(fs, FileMode.S_IFIFO | (perm & 07777), uid, gid);
    }

    @Override
    public long size() { return 0; }

    @Override
    public OpenFile open(Location loc, String path, int flags) {
        return pipe.openFifo(dev.jvisor.sentry.kernel.Task.current(), loc, path, flags);
    }
}
