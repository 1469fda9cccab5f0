package dev.jvisor.sentry.fs.tmpfs;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.OpenFile;

/** An open tmpfs regular file. */
public final class RegularFile extends OpenFile {
    private final RegularInode inode;

    RegularFile(Location loc, String path, int flags, RegularInode inode) {
        super(loc, path, flags);
        this.inode = inode;
    }

    @Override
    public synchronized int read(Task t, byte[] buf, int off, int len) {
        int n = inode.data().read(offset, buf, off, len);
        offset += n;
        return n;
    }

    @Override
    public long readToUser(Task t, long addr, int len, long position) {
        if (position >= 0) return inode.data().readTo(t.mm(), addr, position, len);
        synchronized (this) {
            int n = inode.data().readTo(t.mm(), addr, offset, len);
            offset += n;
            return n;
        }
    }

    @Override
    public int pread(Task t, byte[] buf, int off, int len, long position) {
        if (position < 0) throw Errno.EINVAL.exception();
        return inode.data().read(position, buf, off, len);
    }

    @Override
    public synchronized int write(Task t, byte[] buf, int off, int len) {
        if ((flags() & FileMode.O_APPEND) != 0) offset = inode.data().size();
        int n = inode.data().write(offset, buf, off, len);
        offset += n;
        if (n > 0) inode.touchModified();   // a write of nothing changes no time (generic_write_checks)
        return n;
    }

    @Override
    public int pwrite(Task t, byte[] buf, int off, int len, long position) {
        if (position < 0) throw Errno.EINVAL.exception();
        // Linux quirk: with O_APPEND, pwrite appends regardless of position.
        long at = (flags() & FileMode.O_APPEND) != 0 ? inode.data().size() : position;
        int n = inode.data().write(at, buf, off, len);
        if (n > 0) inode.touchModified();
        return n;
    }

    @Override
    public synchronized long seek(long off, int whence) {
        long base = switch (whence) {
            case FileMode.SEEK_SET -> 0;
            case FileMode.SEEK_CUR -> offset;
            case FileMode.SEEK_END -> inode.data().size();
            case FileMode.SEEK_DATA -> {
                long p = inode.data().seekData(off, true);
                if (p < 0) throw Errno.ENXIO.exception();
                offset = p;
                yield Long.MIN_VALUE;
            }
            case FileMode.SEEK_HOLE -> {
                offset = inode.data().seekData(off, false);
                yield Long.MIN_VALUE;
            }
            default -> throw Errno.EINVAL.exception();
        };
        if (base == Long.MIN_VALUE) return offset;
        long next = base + off;
        if (next < 0) throw Errno.EINVAL.exception();
        offset = next;
        return offset;
    }

    @Override
    public long ioctl(Task t, long request, long arg) {
        if (request == 0x541B) { // FIONREAD
            long avail;
            synchronized (this) {
                avail = Math.max(0, inode.data().size() - offset);
            }
            t.mm().writeInt(arg, (int) Math.min(avail, Integer.MAX_VALUE));
            return 0;
        }
        throw Errno.ENOTTY.exception();
    }
}
