package dev.jvisor.sentry.fs.proc;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.OpenFile;

/** An open procfs file: its contents, generated once at open, read like a regular file. */
final class SnapshotFile extends OpenFile {
    private final byte[] content;

    SnapshotFile(Location loc, String path, int flags, byte[] content) {
        super(loc, path, flags);
        this.content = content;
    }

    @Override
    public synchronized int read(Task t, byte[] buf, int off, int len) {
        int n = pread(t, buf, off, len, offset);
        offset += n;
        return n;
    }

    @Override
    public int pread(Task t, byte[] buf, int off, int len, long position) {
        if (position < 0) throw Errno.EINVAL.exception();
        if (position >= content.length) return 0;
        int n = (int) Math.min(len, content.length - position);
        System.arraycopy(content, (int) position, buf, off, n);
        return n;
    }

    @Override
    public int write(Task t, byte[] buf, int off, int len) {
        throw Errno.EACCES.exception();
    }

    @Override
    public synchronized long seek(long off, int whence) {
        long base = switch (whence) {
            case FileMode.SEEK_SET -> 0;
            case FileMode.SEEK_CUR -> offset;
            case FileMode.SEEK_END -> content.length;
            default -> throw Errno.EINVAL.exception();
        };
        if (base + off < 0) throw Errno.EINVAL.exception();
        offset = base + off;
        return offset;
    }
}
