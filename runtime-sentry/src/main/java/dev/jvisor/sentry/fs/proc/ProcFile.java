package dev.jvisor.sentry.fs.proc;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.vfs.FileSystem;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.OpenFile;

import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/** A read-only synthetic file (procfs, sysfs) whose contents a supplier generates at open. Size reads as 0, as on Linux. */
public final class ProcFile extends Inode {
    /** The owner reported and checked instead of root's, when set (a process's own files). */
    private volatile java.util.function.IntSupplier ownerUid, ownerGid;

    /** Makes this belong to whoever {@code uid} and {@code gid} name at the time of asking. */
    public ProcFile ownedBy(java.util.function.IntSupplier uid, java.util.function.IntSupplier gid) {
        this.ownerUid = uid;
        this.ownerGid = gid;
        return this;
    }

    @Override
    public int uid() {
        java.util.function.IntSupplier u = ownerUid;
        return u != null ? u.getAsInt() : super.uid();
    }

    @Override
    public int gid() {
        java.util.function.IntSupplier g = ownerGid;
        return g != null ? g.getAsInt() : super.gid();
    }

    private final Supplier<byte[]> content;

    public ProcFile(FileSystem fs, int perm, Supplier<byte[]> content) {
        super(fs, FileMode.S_IFREG | perm, 0, 0);
        nlink = 1;
        this.content = content;
    }

    public static ProcFile text(FileSystem fs, Supplier<String> text) {
        return new ProcFile(fs, 0444, () -> text.get().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public long size() { return 0; }

    @Override
    public OpenFile open(Location loc, String path, int flags) {
        if ((flags & FileMode.O_ACCMODE) != FileMode.O_RDONLY) throw Errno.EACCES.exception();
        return new SnapshotFile(loc, path, flags, content.get());
    }
}
