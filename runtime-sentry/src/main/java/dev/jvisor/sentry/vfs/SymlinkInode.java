package dev.jvisor.sentry.vfs;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;

import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/** A symbolic link; procfs uses the dynamic form for /proc/self and /proc/PID/fd/N. */
public class SymlinkInode extends Inode {
    private final Supplier<String> target;

    public SymlinkInode(FileSystem fs, String target, int uid, int gid) {
        this(fs, () -> target, uid, gid);
    }

    public SymlinkInode(FileSystem fs, Supplier<String> target, int uid, int gid) {
        super(fs, FileMode.S_IFLNK | 0777, uid, gid);
        this.target = target;
    }

    public String target() {
        String t = target.get();
        if (t == null) throw Errno.ENOENT.exception();
        return t;
    }

    @Override
    public long size() { return target().getBytes(StandardCharsets.UTF_8).length; }

    @Override
    public OpenFile open(Location loc, String path, int flags) {
        throw Errno.ELOOP.exception();
    }
}
