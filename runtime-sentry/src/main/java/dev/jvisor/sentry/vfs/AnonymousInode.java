package dev.jvisor.sentry.vfs;

import dev.jvisor.abi.linux.Errno;

/**
 * An inode that exists only behind open files — a pipe, a socket, an eventfd, a host stdio
 * stream: it has a type and a number for fstat(2) and /proc/PID/fd, no content of its own, and
 * cannot be opened again by name.
 */
public class AnonymousInode extends Inode {
    private final long rdev;

    public AnonymousInode(FileSystem fs, int mode, int uid, int gid, long rdev) {
        super(fs, mode, uid, gid);
        this.rdev = rdev;
        this.nlink = 1;
    }

    public AnonymousInode(FileSystem fs, int mode) {
        this(fs, mode, 0, 0, 0);
    }

    @Override
    public long size() { return 0; }

    @Override
    public long rdev() { return rdev; }

    @Override
    public OpenFile open(Location loc, String path, int flags) {
        throw Errno.ENXIO.exception();
    }
}
