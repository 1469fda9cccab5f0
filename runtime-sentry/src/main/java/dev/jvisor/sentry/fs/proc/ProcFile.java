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
