package dev.jvisor.sentry.vfs;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.kernel.Task;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** An open directory: getdents64(2) over a snapshot taken at open and at rewind. */
public final class DirFile extends OpenFile {
    private List<Object[]> snapshot;

    DirFile(Location loc, String path, int flags) {
        super(loc, path, flags);
    }

    private List<Object[]> entries() {
        if (snapshot == null) {
            DirInode d = (DirInode) loc.inode();
            List<Object[]> out = new ArrayList<>();
            out.add(new Object[] {".", d.ino(), FileMode.DT_DIR});
            out.add(new Object[] {"..", d.parent().ino(), FileMode.DT_DIR});
            // type(), not mode(): a file of the overlay's lower layer knows its type from the
            // directory listing, while its mode costs a Gofer round trip (a directory of 200
            // files would cost 200 of them, where Linux's getdents reads none).
            for (Map.Entry<String, Inode> e : d.list()) {
                out.add(new Object[] {e.getKey(), e.getValue().ino(), FileMode.dtype(e.getValue().type())});
            }
            snapshot = out;
        }
        return snapshot;
    }

    /** Fills {@code buf} with struct linux_dirent64 records (include/linux/dirent.h). */
    @Override
    public synchronized int getdents(Task t, byte[] buf) {
        List<Object[]> all = entries();
        ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        while (offset < all.size()) {
            Object[] e = all.get((int) offset);
            byte[] name = ((String) e[0]).getBytes(StandardCharsets.UTF_8);
            int reclen = (19 + name.length + 1 + 7) & ~7;
            if (b.remaining() < reclen) {
                if (b.position() == 0) throw Errno.EINVAL.exception();
                break;
            }
            int start = b.position();
            b.putLong((Long) e[1]).putLong(offset + 1).putShort((short) reclen).put((byte) (int) (Integer) e[2]);
            b.put(name).put((byte) 0);
            while (b.position() < start + reclen) b.put((byte) 0);
            offset++;
        }
        return b.position();
    }

    @Override
    public synchronized long seek(long off, int whence) {
        if (whence == FileMode.SEEK_SET && off >= 0) {
            offset = off;
            if (off == 0) snapshot = null;
            return offset;
        }
        if (whence == FileMode.SEEK_CUR && offset + off >= 0) {
            offset += off;
            return offset;
        }
        throw Errno.EINVAL.exception();
    }

    @Override
    public int read(Task t, byte[] buf, int off, int len) {
        throw Errno.EISDIR.exception();
    }
}
