package dev.jvisor.sentry.fs.tmpfs;

import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.vfs.DirInode;
import dev.jvisor.sentry.vfs.FileSystem;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.SymlinkInode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Map;
import java.util.stream.Stream;

/** Creates tmpfs instances and their inodes. */
public final class Tmpfs {
    /** TMPFS_MAGIC, include/uapi/linux/magic.h. */
    public static final long MAGIC = 0x01021994;

    private Tmpfs() {}

    public static FileSystem newFileSystem(boolean readOnly) {
        return new FileSystem("tmpfs", MAGIC, readOnly);
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

    /**
     * Copies a host directory tree into {@code root}: regular files, directories and symlinks
     * with their modes and owners; other file types are skipped. The host files are read once,
     * here; the sandbox never gets a host fd.
     */
    public static void populate(Path host, DirInode root) throws IOException {
        copyChildren(host, root, root.fs());
    }

    private static void copyChildren(Path dir, DirInode into, FileSystem fs) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : (Iterable<Path>) list.sorted()::iterator) {
                String name = p.getFileName().toString();
                PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                Map<String, Object> unix = Files.readAttributes(p, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) unix.get("mode");
                int uid = (Integer) unix.get("uid");
                int gid = (Integer) unix.get("gid");
                Inode child;
                if (a.isSymbolicLink()) {
                    child = new SymlinkInode(fs, Files.readSymbolicLink(p).toString(), uid, gid);
                } else if (a.isDirectory()) {
                    DirInode d = new DirInode(fs, mode & 07777, uid, gid);
                    into.link(name, d);
                    copyChildren(p, d, fs);
                    continue;
                } else if (a.isRegularFile()) {
                    RegularInode f = new RegularInode(fs, mode & 07777, uid, gid);
                    try (InputStream in = Files.newInputStream(p)) {
                        byte[] buf = new byte[1 << 16];
                        long pos = 0;
                        int n;
                        while ((n = in.read(buf)) > 0) {
                            f.data().write(pos, buf, 0, n);
                            pos += n;
                        }
                    }
                    child = f;
                } else {
                    continue;
                }
                into.link(name, child);
            }
        }
    }
}
