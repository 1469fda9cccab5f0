package dev.jvisor.sentry.fs.tmpfs;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.fs.pipe.Pipe;
import dev.jvisor.sentry.vfs.FileSystem;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.OpenFile;

/** A named pipe (mkfifo). Opening does not wait for the other end (unlike Linux without O_NONBLOCK). */
public final class FifoInode extends Inode {
    private final Pipe pipe = new Pipe();

    public FifoInode(FileSystem fs, int perm, int uid, int gid) {
        super(fs, FileMode.S_IFIFO | (perm & 07777), uid, gid);
    }

    @Override
    public long size() { return 0; }

    @Override
    public OpenFile open(Location loc, String path, int flags) {
        return switch (flags & FileMode.O_ACCMODE) {
            case FileMode.O_RDONLY -> pipe.openReader(loc, path, flags);
            case FileMode.O_WRONLY -> pipe.openWriter(loc, path, flags);
            case FileMode.O_RDWR -> pipe.openReader(loc, path, flags); // reads; writes go through a writer ref
            default -> throw Errno.EINVAL.exception();
        };
    }
}
