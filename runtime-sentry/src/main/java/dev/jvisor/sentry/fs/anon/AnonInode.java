package dev.jvisor.sentry.fs.anon;

import dev.jvisor.sentry.vfs.AnonymousInode;
import dev.jvisor.sentry.vfs.FileSystem;
import dev.jvisor.sentry.vfs.Location;

/** Where anonymous files live ("anon_inode:[eventfd]" in /proc/PID/fd). */
final class AnonInode {
    private AnonInode() {}

    /** ANON_INODE_FS_MAGIC, include/uapi/linux/magic.h. */
    static final FileSystem FS = new FileSystem("anon_inodefs", 0x09041934, false);

    static Location location() {
        return new Location(null, new AnonymousInode(FS, 0600));
    }
}
