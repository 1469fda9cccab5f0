package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.abi.linux.Sysno;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.platform.Registers;
import dev.jvisor.sentry.vfs.OpenFile;

/**
 * Implements copy_file_range(2), fadvise64(2) and readahead(2): copying between regular files
 * inside the Sentry, and the two caching hints, which have nothing to cache here beyond their
 * argument checks.
 */
final class SysFileData {
    private SysFileData() {}

    private static final int CHUNK = 1 << 16;
    /** POSIX_FADV_NORMAL .. POSIX_FADV_NOREUSE (include/uapi/linux/fadvise.h). */
    private static final int FADV_MAX = 5;

    static void register(Registrar r) {
        r.full(Sysno.COPY_FILE_RANGE, "fpfpdx", SysFileData::copyFileRange);
        r.full(Sysno.FADVISE64, "fddd", (t, a) -> {
            OpenFile f = t.fds().get((int) a.arg(0));
            if (f.inode() == null || f.inode().type() == FileMode.S_IFIFO) throw Errno.ESPIPE.exception();
            if (a.arg(2) < 0 || (int) a.arg(3) < 0 || (int) a.arg(3) > FADV_MAX) throw Errno.EINVAL.exception();
            return 0;
        });
        r.full(Sysno.READAHEAD, "fdd", (t, a) -> {
            OpenFile f = t.fds().acquire((int) a.arg(0));
            try {
                if (!f.readable()) throw Errno.EBADF.exception();
                if (f.inode() == null || !f.inode().isRegular()) throw Errno.EINVAL.exception();
                return 0;
            } finally {
                f.release();
            }
        });
    }

    private static long copyFileRange(Task t, Registers a) {
        long offInPtr = a.arg(1), offOutPtr = a.arg(3), count = a.arg(4);
        if (a.arg(5) != 0) throw Errno.EINVAL.exception();
        OpenFile in = t.fds().acquire((int) a.arg(0));
        try {
            OpenFile out = t.fds().acquire((int) a.arg(2));
            try {
                if (!in.readable() || !out.writable() || (out.flags() & FileMode.O_APPEND) != 0) throw Errno.EBADF.exception();
                if (in.inode() == null || out.inode() == null) throw Errno.EINVAL.exception();
                if (in.inode().isDir() || out.inode().isDir()) throw Errno.EISDIR.exception();
                if (!in.inode().isRegular() || !out.inode().isRegular()) throw Errno.EINVAL.exception();
                long inPos = offInPtr != 0 ? t.mm().readLong(offInPtr) : -1;
                long outPos = offOutPtr != 0 ? t.mm().readLong(offOutPtr) : -1;
                if ((offInPtr != 0 && inPos < 0) || (offOutPtr != 0 && outPos < 0) || count < 0) throw Errno.EINVAL.exception();
                // Overlapping ranges of one file are refused, as on Linux.
                if (in.inode() == out.inode() && inPos >= 0 && outPos >= 0
                        && inPos < outPos + count && outPos < inPos + count) throw Errno.EINVAL.exception();
                long total = 0;
                byte[] buf = new byte[(int) Math.min(Math.max(count, 1), CHUNK)];
                while (total < count) {
                    int want = (int) Math.min(buf.length, count - total);
                    int n = inPos >= 0 ? in.pread(t, buf, 0, want, inPos + total) : in.read(t, buf, 0, want);
                    if (n <= 0) break;
                    int w = outPos >= 0 ? out.pwrite(t, buf, 0, n, outPos + total) : out.write(t, buf, 0, n);
                    total += w;
                    if (w < n || n < want) break;
                }
                if (offInPtr != 0) t.mm().writeLong(offInPtr, inPos + total);
                if (offOutPtr != 0) t.mm().writeLong(offOutPtr, outPos + total);
                return total;
            } finally {
                out.release();
            }
        } finally {
            in.release();
        }
    }
}
