package dev.jvisor.sentry.fs.tmpfs;

import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.vfs.DirInode;
import dev.jvisor.sentry.vfs.FileSystem;
import dev.jvisor.sentry.vfs.Inode;


/** Creates tmpfs instances and their inodes. */
public final class Tmpfs {
    /** TMPFS_MAGIC, include/uapi/linux/magic.h. */
    public static final long MAGIC = 0x01021994;

    private Tmpfs() {}

    public static FileSystem newFileSystem(boolean readOnly) {
        return new FileSystem("tmpfs", MAGIC, readOnly);
    }

    /**
     * A tmpfs (or a filesystem of another {@code type} built the same way, such as mqueue) whose
     * files together hold at most {@code maxBytes}; ENOSPC beyond that.
     */
    public static FileSystem newFileSystem(String type, long magic, boolean readOnly, long maxBytes) {
        return new TmpfsFileSystem(type, magic, readOnly, new SizeBudget(maxBytes));
    }

    public static DirInode newRoot(FileSystem fs, int perm) {
        return new DirInode(fs, perm, 0, 0);
    }

    /** A new inode of the type in {@code mode} for mknod/creat/mkdir. */
    public static Inode newInode(FileSystem fs, int mode, int uid, int gid, long rdev) {
        int perm = mode & 07777;
        return switch (mode & FileMode.S_IFMT) {
            case FileMode.S_IFDIR -> new DirInode(fs, perm, uid, gid);
            case FileMode.S_IFREG, 0 -> new RegularInode(fs, perm, uid, gid);
            case FileMode.S_IFIFO -> new FifoInode(fs, perm, uid, gid);
            default -> throw dev.jvisor.abi.linux.Errno.EPERM.exception();
        };
    }
}
