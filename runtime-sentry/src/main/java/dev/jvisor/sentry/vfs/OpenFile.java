package dev.jvisor.sentry.vfs;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.WaitQueue;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * An open file description: what an fd refers to, shared by dup(2) and fork(2). Holds the
 * status flags and the offset; subclasses implement the file type's operations. Every default
 * here is the errno Linux gives for a file type that lacks the operation.
 */
public abstract class OpenFile {
    // poll(2) events, include/uapi/asm-generic/poll.h
    public static final int POLLIN = 0x1, POLLPRI = 0x2, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10,
            POLLNVAL = 0x20, POLLRDNORM = 0x40, POLLWRNORM = 0x100, POLLRDHUP = 0x2000;

    protected final Location loc;
    protected final String path;
    private int flags;
    protected long offset;
    private final AtomicInteger refs = new AtomicInteger(1);

    protected OpenFile(Location loc, String path, int flags) {
        this.loc = loc;
        this.path = path;
        this.flags = flags & ~(FileMode.O_CREAT | FileMode.O_EXCL | FileMode.O_NOCTTY | FileMode.O_TRUNC | FileMode.O_CLOEXEC);
    }

    public Location location() { return loc; }
    public Inode inode() { return loc == null ? null : loc.inode(); }
    /** The path /proc/PID/fd shows. */
    public String path() { return path; }

    public synchronized int flags() { return flags; }

    /** F_SETFL: only O_APPEND, O_NONBLOCK, O_ASYNC, O_DIRECT and O_NOATIME change. */
    public synchronized void setStatusFlags(int f) {
        int changeable = FileMode.O_APPEND | FileMode.O_NONBLOCK | FileMode.O_ASYNC | FileMode.O_DIRECT | FileMode.O_NOATIME;
        flags = (flags & ~changeable) | (f & changeable);
    }

    public boolean readable() {
        int acc = flags() & FileMode.O_ACCMODE;
        return (flags() & FileMode.O_PATH) == 0 && (acc == FileMode.O_RDONLY || acc == FileMode.O_RDWR);
    }

    public boolean writable() {
        int acc = flags() & FileMode.O_ACCMODE;
        return (flags() & FileMode.O_PATH) == 0 && (acc == FileMode.O_WRONLY || acc == FileMode.O_RDWR);
    }

    /** An O_PATH descriptor: it names a place in the tree and allows no I/O or change through it. */
    public boolean isPath() { return (flags() & FileMode.O_PATH) != 0; }

    /**
     * The status flags F_GETFL and fdinfo report: open(2) of a path adds O_LARGEFILE on a 64-bit
     * kernel (O_PATH aside), and so does memfd_create (its name is a path too); pipe(2),
     * socket(2) and the other anonymous files never have it.
     */
    public int reportedFlags() {
        boolean byPath = path().startsWith("/") && !isPath();
        return flags() | (byPath ? FileMode.O_LARGEFILE : 0);
    }

    public boolean nonBlocking() { return (flags() & FileMode.O_NONBLOCK) != 0; }

    /** Reads at the file offset (advancing it) into {@code buf}; 0 at end of file. */
    public int read(Task t, byte[] buf, int off, int len) {
        throw Errno.EINVAL.exception();
    }

    public int write(Task t, byte[] buf, int off, int len) {
        throw Errno.EINVAL.exception();
    }

    /**
     * Reads straight into application memory at {@code addr} — at the file offset when
     * {@code position} is negative — for files that can; returns -1 when the file cannot, and
     * the caller falls back to {@link #read}.
     */
    public long readToUser(Task t, long addr, int len, long position) {
        return -1;
    }

    /** pread(2): ESPIPE unless the file is seekable. */
    public int pread(Task t, byte[] buf, int off, int len, long position) {
        throw Errno.ESPIPE.exception();
    }

    public int pwrite(Task t, byte[] buf, int off, int len, long position) {
        throw Errno.ESPIPE.exception();
    }

    public long seek(long off, int whence) {
        throw Errno.ESPIPE.exception();
    }

    /** Directory entries from the current position; see {@link DirFile}. */
    public int getdents(Task t, byte[] buf) {
        throw Errno.ENOTDIR.exception();
    }

    public long ioctl(Task t, long request, long arg) {
        throw Errno.ENOTTY.exception();
    }

    /** The events of {@code mask} that are ready now. */
    public int poll(int mask) {
        return (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM) & mask;
    }

    /** Where pollers wait for readiness changes; {@code null} when the file is always ready. */
    public WaitQueue waitQueue() { return null; }

    public Stat stat() {
        if (inode() == null) throw Errno.EBADF.exception();
        return inode().stat();
    }

    public void fsync() {}

    public void truncate(long length) {
        if (!writable()) throw Errno.EINVAL.exception();
        inode().truncate(length);
    }

    public OpenFile retain() {
        refs.incrementAndGet();
        return this;
    }

    public void release() {
        if (refs.decrementAndGet() != 0) return;
        Inode i = inode();
        FileLocks locks = i == null ? null : i.locksIfAny();
        if (locks != null) locks.lastClose(this);   // its flock and OFD locks end with it
        ReleaseWatcher[] told;
        synchronized (watchers) {
            told = watchers.toArray(new ReleaseWatcher[0]);
            watchers.clear();
        }
        for (ReleaseWatcher w : told) w.released(this);
        onLastClose();
    }

    /**
     * Something that refers to an open file without keeping it open, and must forget it when it
     * goes: an epoll instance, whose interest list drops a file once its last descriptor is
     * closed (Linux's eventpoll_release).
     */
    public interface ReleaseWatcher {
        void released(OpenFile file);
    }

    private final java.util.Set<ReleaseWatcher> watchers = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    /** {@code w} is told once, when this file's last reference goes; false if it has gone already. */
    public boolean watchRelease(ReleaseWatcher w) {
        synchronized (watchers) {
            if (refs.get() <= 0) return false;
            watchers.add(w);
            return true;
        }
    }

    public void unwatchRelease(ReleaseWatcher w) {
        synchronized (watchers) {
            watchers.remove(w);
        }
    }

    /** The file offset (what /proc/PID/fdinfo shows as pos). */
    public synchronized long position() { return offset; }

    /**
     * Lines this kind of file adds to /proc/PID/fdinfo after pos, flags, mnt_id and ino, each
     * ending in a newline (an eventfd its count, an epoll set its watches); none by default.
     */
    public String fdinfoLines() { return ""; }

    /** Called once when the last fd and reference go. */
    protected void onLastClose() {}
}
