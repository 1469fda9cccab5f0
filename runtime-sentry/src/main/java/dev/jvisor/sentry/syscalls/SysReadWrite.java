package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.Sysno;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.OpenFile;

/** Implements read(2), write(2), pread64/pwrite64, readv/writev, preadv/pwritev(2), lseek(2), sendfile(2). */
final class SysReadWrite {
    private SysReadWrite() {}

    private static final int CHUNK = 1 << 20;
    private static final int IOV_MAX = 1024;
    private static final long MAX_RW_COUNT = 0x7ffff000L;

    static void register(Registrar r) {
        r.full(Sysno.READ, "fpd", (t, a) -> read(t, (int) a.arg(0), a.arg(1), a.arg(2), -1));
        r.full(Sysno.WRITE, "fbd", (t, a) -> write(t, (int) a.arg(0), a.arg(1), a.arg(2), -1));
        r.full(Sysno.PREAD64, "fpdd", (t, a) -> read(t, (int) a.arg(0), a.arg(1), a.arg(2), positional(a.arg(3))));
        r.full(Sysno.PWRITE64, "fbdd", (t, a) -> write(t, (int) a.arg(0), a.arg(1), a.arg(2), positional(a.arg(3))));
        r.full(Sysno.READV, "fpd", (t, a) -> readv(t, (int) a.arg(0), a.arg(1), a.arg(2), -1));
        r.full(Sysno.WRITEV, "fpd", (t, a) -> writev(t, (int) a.arg(0), a.arg(1), a.arg(2), -1));
        r.full(Sysno.PREADV, "fpdd", (t, a) -> readv(t, (int) a.arg(0), a.arg(1), a.arg(2), positional(a.arg(3))));
        r.full(Sysno.PWRITEV, "fpdd", (t, a) -> writev(t, (int) a.arg(0), a.arg(1), a.arg(2), positional(a.arg(3))));
        r.partial(Sysno.PREADV2, "fpdddx", "RWF_* flags are accepted and ignored", (t, a) -> checkRwf(a.arg(5)) + readv(t, (int) a.arg(0), a.arg(1), a.arg(2), a.arg(3) == -1 ? -1 : positional(a.arg(3))));
        r.partial(Sysno.PWRITEV2, "fpdddx", "RWF_* flags are accepted and ignored", (t, a) -> checkRwf(a.arg(5)) + writev(t, (int) a.arg(0), a.arg(1), a.arg(2), a.arg(3) == -1 ? -1 : positional(a.arg(3))));
        r.full(Sysno.LSEEK, "fdd", (t, a) -> t.fds().get((int) a.arg(0)).seek(a.arg(1), (int) a.arg(2)));
        r.full(Sysno.SENDFILE, "ffpd", SysReadWrite::sendfile);
    }

    /** RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_NOWAIT | RWF_APPEND (linux/fs.h); others are EOPNOTSUPP. Returns 0. */
    private static long checkRwf(long flags) {
        if ((flags & ~0x1fL) != 0) throw Errno.EOPNOTSUPP.exception();
        return 0;
    }

    private static long positional(long pos) {
        if (pos < 0) throw Errno.EINVAL.exception();
        return pos;
    }

    static long read(Task t, int fd, long addr, long len, long pos) {
        OpenFile f = t.fds().acquire(fd);
        try {
            if (!f.readable()) throw Errno.EBADF.exception();
            if (len < 0) throw Errno.EINVAL.exception();
            len = Math.min(len, MAX_RW_COUNT);
            if (len == 0) return 0;
            t.mm().checkAccess(addr, len, true);
            boolean regular = f.inode() != null && f.inode().isRegular();
            if (regular) {
                long direct = f.readToUser(t, addr, (int) Math.min(len, MAX_RW_COUNT), pos);
                if (direct >= 0) return direct;
            }
            long total = 0;
            byte[] buf = new byte[(int) Math.min(len, CHUNK)];
            while (total < len) {
                int want = (int) Math.min(buf.length, len - total);
                int n;
                try {
                    n = pos < 0 ? f.read(t, buf, 0, want) : f.pread(t, buf, 0, want, pos + total);
                } catch (dev.jvisor.abi.linux.ErrnoException e) {
                    if (total > 0) break;
                    throw e;
                }
                if (n <= 0) break;
                t.mm().write(addr + total, buf, 0, n);
                total += n;
                if (n < want || !regular) break;
            }
            return total;
        } finally {
            f.release();
        }
    }

    static long write(Task t, int fd, long addr, long len, long pos) {
        OpenFile f = t.fds().acquire(fd);
        try {
            if (!f.writable()) throw Errno.EBADF.exception();
            if (len < 0) throw Errno.EINVAL.exception();
            len = Math.min(len, MAX_RW_COUNT);
            if (len == 0) return pos < 0 ? f.write(t, new byte[0], 0, 0) : 0;
            len = SysCredentials.fileSizeLimited(t, f, pos, len);
            t.mm().checkAccess(addr, len, false);
            SysCredentials.removePrivilegesForWrite(t, f);
            long total = 0;
            while (total < len) {
                int want = (int) Math.min(CHUNK, len - total);
                byte[] buf = t.mm().read(addr + total, want);
                int n;
                try {
                    n = pos < 0 ? f.write(t, buf, 0, want) : f.pwrite(t, buf, 0, want, pos + total);
                } catch (dev.jvisor.abi.linux.ErrnoException e) {
                    if (total > 0) break;
                    throw e;
                }
                total += n;
                if (n < want) break;
            }
            return total;
        } finally {
            f.release();
        }
    }

    private static long[][] iovecs(Task t, long iov, long count) {
        if (count < 0 || count > IOV_MAX) throw Errno.EINVAL.exception();
        long[][] v = new long[(int) count][2];
        long total = 0;
        for (int i = 0; i < count; i++) {
            v[i][0] = t.mm().readLong(iov + 16L * i);
            v[i][1] = t.mm().readLong(iov + 16L * i + 8);
            if (v[i][1] < 0) throw Errno.EINVAL.exception();
            total += v[i][1];
            if (total < 0 || total > MAX_RW_COUNT) throw Errno.EINVAL.exception();
        }
        return v;
    }

    static long readv(Task t, int fd, long iov, long count, long pos) {
        long total = 0;
        for (long[] v : iovecs(t, iov, count)) {
            if (v[1] == 0) continue;
            long n;
            try {
                n = read(t, fd, v[0], v[1], pos < 0 ? -1 : pos + total);
            } catch (dev.jvisor.abi.linux.ErrnoException e) {
                if (total > 0) return total;
                throw e;
            }
            total += n;
            if (n < v[1]) break;
        }
        return total;
    }

    static long writev(Task t, int fd, long iov, long count, long pos) {
        long[][] vs = iovecs(t, iov, count);
        // Gather into one write so pipe atomicity and O_APPEND hold for the whole vector.
        long total = 0;
        for (long[] v : vs) total += v[1];
        byte[] all = new byte[(int) total];
        int off = 0;
        for (long[] v : vs) {
            if (v[1] == 0) continue;
            t.mm().read(v[0], all, off, (int) v[1]);
            off += (int) v[1];
        }
        OpenFile f = t.fds().acquire(fd);
        try {
            if (!f.writable()) throw Errno.EBADF.exception();
            if (total == 0) return 0;
            int allowed = (int) SysCredentials.fileSizeLimited(t, f, pos, all.length);
            SysCredentials.removePrivilegesForWrite(t, f);
            return pos < 0 ? f.write(t, all, 0, allowed) : f.pwrite(t, all, 0, allowed, pos);
        } finally {
            f.release();
        }
    }

    private static long sendfile(Task t, dev.jvisor.sentry.platform.Registers a) {
        int outFd = (int) a.arg(0), inFd = (int) a.arg(1);
        long offPtr = a.arg(2), count = a.arg(3);
        OpenFile in = t.fds().acquire(inFd);
        OpenFile out = t.fds().acquire(outFd);
        try {
            if (!in.readable() || !out.writable()) throw Errno.EBADF.exception();
            if (count < 0) throw Errno.EINVAL.exception();
            long pos = offPtr != 0 ? t.mm().readLong(offPtr) : -1;
            if (offPtr != 0 && pos < 0) throw Errno.EINVAL.exception();
            long total = 0;
            byte[] buf = new byte[(int) Math.min(Math.max(count, 1), CHUNK)];
            while (total < count) {
                int want = (int) Math.min(buf.length, count - total);
                int n = pos >= 0 ? in.pread(t, buf, 0, want, pos + total) : in.read(t, buf, 0, want);
                if (n <= 0) break;
                int w = out.write(t, buf, 0, n);
                total += w;
                if (w < n || n < want) break;
            }
            if (offPtr != 0) t.mm().writeLong(offPtr, pos + total);
            return total;
        } finally {
            in.release();
            out.release();
        }
    }
}
