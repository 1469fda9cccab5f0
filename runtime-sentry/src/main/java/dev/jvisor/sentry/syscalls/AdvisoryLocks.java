package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.FileLocks;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.OpenFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Implements fcntl(2)'s record locks (F_GETLK, F_SETLK, F_SETLKW and their F_OFD_ forms) and
 * flock(2) over {@link FileLocks}. POSIX locks belong to the caller's fd table, OFD and flock
 * locks to the open file description; a waiter sleeps interruptibly (ERESTARTSYS), and a POSIX
 * waiter that would wait on its own chain of waiters gets EDEADLK.
 */
final class AdvisoryLocks {
    private AdvisoryLocks() {}

    /** x86-64 struct flock (include/uapi/asm-generic/fcntl.h): type, whence, pad, start, len, pid, pad. */
    private static final int FLOCK_SIZE = 32;
    /** flock(2) operations, include/uapi/asm-generic/fcntl.h. */
    static final int LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8;

    /** A request's lock type and byte range [start, end), with l_whence and l_len applied. */
    private record Range(int type, long start, long end) {}

    static long fcntl(Task t, OpenFile f, int cmd, long addr) {
        if (f.isPath()) throw Errno.EBADF.exception();
        boolean ofd = cmd == FileMode.F_OFD_GETLK || cmd == FileMode.F_OFD_SETLK || cmd == FileMode.F_OFD_SETLKW;
        ByteBuffer fl = ByteBuffer.wrap(t.mm().read(addr, FLOCK_SIZE)).order(ByteOrder.LITTLE_ENDIAN);
        int type = fl.getShort(0);
        if (ofd && fl.getInt(24) != 0) throw Errno.EINVAL.exception();   // l_pid must be 0
        Range r = range(f, type, fl.getShort(2), fl.getLong(8), fl.getLong(16));
        Inode inode = f.inode();
        if (inode == null) return 0;   // nothing to lock (not a file in the tree)
        FileLocks locks = inode.locks();
        Object owner = ofd ? f : t.fds();
        if (cmd == FileMode.F_GETLK || cmd == FileMode.F_OFD_GETLK) {
            if (type != FileLocks.F_RDLCK && type != FileLocks.F_WRLCK) throw Errno.EINVAL.exception();
            FileLocks.Record c = locks.conflict(owner, type, r.start, r.end);
            if (c == null) {
                fl.putShort(0, (short) FileLocks.F_UNLCK);
            } else {
                fl.putShort(0, (short) c.type()).putShort(2, (short) FileMode.SEEK_SET).putLong(8, c.start())
                        .putLong(16, c.end() == FileLocks.TO_END ? 0 : c.end() - c.start()).putInt(24, c.pid());
            }
            t.mm().write(addr, fl.array(), 0, FLOCK_SIZE);
            return 0;
        }
        if (type == FileLocks.F_RDLCK && !f.readable()) throw Errno.EBADF.exception();
        if (type == FileLocks.F_WRLCK && !f.writable()) throw Errno.EBADF.exception();
        int pid = ofd ? -1 : t.group().tgid();
        if (locks.trySet(owner, pid, type, r.start, r.end)) return 0;
        if (cmd == FileMode.F_SETLK || cmd == FileMode.F_OFD_SETLK) throw Errno.EAGAIN.exception();
        try {
            t.block(locks.queue, () -> {
                if (!ofd) {
                    FileLocks.Record holder = locks.conflict(owner, type, r.start, r.end);
                    if (holder != null) FileLocks.startWaiting(owner, holder.owner());
                }
                return locks.trySet(owner, pid, type, r.start, r.end);
            }, Long.MAX_VALUE);
        } finally {
            if (!ofd) FileLocks.doneWaiting(owner);
        }
        return 0;
    }

    /** The request's range; EINVAL for a bad type or whence, or a range that starts before 0. */
    private static Range range(OpenFile f, int type, int whence, long start, long len) {
        if (type != FileLocks.F_RDLCK && type != FileLocks.F_WRLCK && type != FileLocks.F_UNLCK) throw Errno.EINVAL.exception();
        long base = switch (whence) {
            case FileMode.SEEK_SET -> 0;
            case FileMode.SEEK_CUR -> f.seek(0, FileMode.SEEK_CUR);
            case FileMode.SEEK_END -> f.inode() == null ? 0 : f.inode().size();
            default -> throw Errno.EINVAL.exception();
        };
        long from = base + start;
        if ((start > 0 && from < base) || (start < 0 && from > base)) throw Errno.EOVERFLOW.exception();
        long to;
        if (len > 0) {
            to = from + len;
            if (to < from) throw Errno.EOVERFLOW.exception();
        } else if (len == 0) {
            to = FileLocks.TO_END;
        } else {
            to = from;
            from = from + len;
        }
        if (from < 0) throw Errno.EINVAL.exception();
        return new Range(type, from, to);
    }

    /** flock(2) on {@code f}: shared, exclusive or none; LOCK_NB fails with EWOULDBLOCK instead of waiting. */
    static long flock(Task t, OpenFile f, int operation) {
        int op = operation & ~LOCK_NB;
        int type = switch (op) {
            case LOCK_SH -> FileLocks.F_RDLCK;
            case LOCK_EX -> FileLocks.F_WRLCK;
            case LOCK_UN -> FileLocks.F_UNLCK;
            default -> throw Errno.EINVAL.exception();
        };
        Inode inode = f.inode();
        if (inode == null) return 0;
        FileLocks locks = inode.locks();
        if (locks.tryFlock(f, type)) return 0;
        // A conversion gives up the lock it had before it waits (fs/locks.c flock_lock_inode).
        if (locks.holdsFlock(f)) locks.tryFlock(f, FileLocks.F_UNLCK);
        if ((operation & LOCK_NB) != 0) throw Errno.EAGAIN.exception();
        t.block(locks.queue, () -> locks.tryFlock(f, type), Long.MAX_VALUE);
        return 0;
    }
}
