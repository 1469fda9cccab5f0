package dev.jvisor.sentry.loader;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.fs.overlay.FilePages;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.mm.AddressSpace;
import dev.jvisor.sentry.mm.SharedMemory;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.OpenFile;
import dev.jvisor.sentry.vfs.Vfs;

import java.util.Arrays;

/**
 * An executable opened for execve: its first page in hand, the rest read — or mapped, when its
 * pages are in memory — only where a segment needs it. A 30 MiB compiler is thus never read into
 * the Sentry's heap to start it.
 */
final class ProgramFile implements AutoCloseable {
    /** Bytes read up front: enough for a {@code #!} line and, nearly always, the ELF program headers. */
    private static final int HEAD = 4096;
    /** Largest read at a time when a segment is copied. */
    private static final int COPY_CHUNK = 1 << 20;

    private final Task task;
    private final OpenFile file;
    final long size;
    final byte[] head;

    private ProgramFile(Task task, OpenFile file, long size) {
        this.task = task;
        this.file = file;
        this.size = size;
        try {
            this.head = read(0, (int) Math.min(size, HEAD));
        } catch (RuntimeException e) {
            file.release();
            throw e;
        }
    }

    /** Resolves and opens {@code path} from the task's root and cwd after execve's permission checks. */
    static ProgramFile open(Task t, String path) {
        Vfs vfs = t.kernel().vfs();
        Location loc = vfs.resolve(t.fs(), t.fs().cwd(), path, true, t.creds());
        if (loc.inode().isDir() || !loc.inode().isRegular()) throw Errno.EACCES.exception();
        Vfs.checkPermission(t.creds(), loc.inode(), Vfs.MAY_EXEC);
        Vfs.checkExecutable(loc);
        OpenFile f = loc.inode().open(loc, path, FileMode.O_RDONLY);
        return new ProgramFile(t, f, loc.inode().size());
    }

    /** Exactly {@code len} bytes at {@code pos}; ENOEXEC when the file ends first (it shrank). */
    byte[] read(long pos, int len) {
        byte[] b = new byte[len];
        int done = 0;
        while (done < len) {
            int n = file.pread(task, b, done, len - done, pos + done);
            if (n <= 0) throw Errno.ENOEXEC.exception();
            done += n;
        }
        return b;
    }

    /** The start of the file up to {@code end} bytes: the head, or more when the headers reach past it. */
    byte[] prefix(long end) {
        if (end <= head.length) return head;
        if (end > size || end > (1 << 20)) throw Errno.ENOEXEC.exception();
        return read(0, (int) end);
    }

    /** The file's pages in sandbox memory, covering the whole file, or null when it has none there. */
    SharedMemory pages() {
        return FilePages.of(file.inode(), AddressSpace.pageUp(size));
    }

    /** Copies {@code len} file bytes from {@code pos} to {@code addr}, ignoring protection (as the kernel loads). */
    void copyTo(AddressSpace as, long addr, long pos, long len) {
        long done = 0;
        byte[] buf = new byte[(int) Math.min(len, COPY_CHUNK)];
        while (done < len) {
            int n = (int) Math.min(buf.length, len - done);
            byte[] b = n == buf.length ? buf : Arrays.copyOf(buf, n);
            int got = file.pread(task, b, 0, n, pos + done);
            if (got <= 0) throw Errno.ENOEXEC.exception();
            as.writeForce(addr + done, b, 0, got);
            done += got;
        }
    }

    @Override
    public void close() {
        file.release();
    }
}
