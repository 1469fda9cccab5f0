package dev.jvisor.sentry.fs.gofer;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.OpenFile;

import java.util.Arrays;

/** An open regular file on the Gofer: Tread/Twrite on its own opened fid, clunked at last close. */
final class GoferOpenFile extends OpenFile {
    private final GoferFile file;
    private final int fid;
    /** False when the fid is the file's shared read fid, which outlives this open. */
    private final boolean ownsFid;

    GoferOpenFile(Location loc, String path, int flags, GoferFile file, int fid, boolean ownsFid) {
        super(loc, path, flags);
        this.file = file;
        this.fid = fid;
        this.ownsFid = ownsFid;
    }

    private GoferFs gofer() { return file.remote().gofer; }

    @Override
    public synchronized int read(Task t, byte[] buf, int off, int len) {
        int n = readAt(buf, off, len, offset);
        offset += n;
        return n;
    }

    @Override
    public int pread(Task t, byte[] buf, int off, int len, long position) {
        if (position < 0) throw Errno.EINVAL.exception();
        return readAt(buf, off, len, position);
    }

    /** Reads up to {@code len} bytes in iounit-sized Treads; stops early at end of file. */
    private int readAt(byte[] buf, int off, int len, long position) {
        int done = 0;
        while (done < len) {
            int want = Math.min(len - done, gofer().client().iounit());
            long at = position + done;
            byte[] got = gofer().call(() -> gofer().client().read(fid, at, want));
            System.arraycopy(got, 0, buf, off + done, got.length);
            done += got.length;
            if (got.length < want) break;
        }
        return done;
    }

    @Override
    public synchronized int write(Task t, byte[] buf, int off, int len) {
        if ((flags() & FileMode.O_APPEND) != 0) offset = file.remote().attrFresh().size();
        int n = writeAt(buf, off, len, offset);
        offset += n;
        return n;
    }

    @Override
    public int pwrite(Task t, byte[] buf, int off, int len, long position) {
        if (position < 0) throw Errno.EINVAL.exception();
        long at = (flags() & FileMode.O_APPEND) != 0 ? file.remote().attrFresh().size() : position;
        return writeAt(buf, off, len, at);
    }

    private int writeAt(byte[] buf, int off, int len, long position) {
        int done = 0;
        try {
            while (done < len) {
                int chunk = Math.min(len - done, gofer().client().iounit());
                byte[] data = Arrays.copyOfRange(buf, off + done, off + done + chunk);
                long at = position + done;
                int n = gofer().call(() -> gofer().client().write(fid, at, data));
                done += n;
                if (n < chunk) break;
            }
        } finally {
            file.remote().invalidate();
        }
        return done;
    }

    @Override
    public synchronized long seek(long off, int whence) {
        long base = switch (whence) {
            case FileMode.SEEK_SET -> 0;
            case FileMode.SEEK_CUR -> offset;
            case FileMode.SEEK_END -> file.remote().attr().size();
            default -> throw Errno.EINVAL.exception();
        };
        long next = base + off;
        if (next < 0) throw Errno.EINVAL.exception();
        offset = next;
        return offset;
    }

    @Override
    public void fsync() {
        gofer().call(() -> {
            gofer().client().fsync(fid, false);
            return null;
        });
    }

    @Override
    protected void onLastClose() {
        if (ownsFid) gofer().release(fid);
    }
}
