package dev.jvisor.sentry.fs.anon;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.sentry.vfs.FileSystem;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.OpenFile;

/** The inode behind an anonymous file ("anon_inode:[eventfd]" in /proc/PID/fd). */
final class AnonInode extends Inode {
    /** ANON_INODE_FS_MAGIC, include/uapi/linux/magic.h. */
    static final FileSystem FS = new FileSystem("anon_inodefs", 0x09041934, false);

    AnonInode() {
        super(FS, 0600, 0, 0);
        nlink = 1;
    }

    @Override
    public long size() { return 0; }

    @Override
    public OpenFile open(Location loc, String path, int flags) {
        throw Errno.ENXIO.exception();
    }

    static Location location() {
        return new Location(null, new AnonInode());
    }
}
