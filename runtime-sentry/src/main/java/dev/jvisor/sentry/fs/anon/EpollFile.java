package dev.jvisor.sentry.fs.anon;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.kernel.WaitQueue;
import dev.jvisor.sentry.vfs.OpenFile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An epoll instance (epoll(7)): the interest list of (fd, file) pairs with their events and
 * user data. Readiness is computed from each file's poll state when waited on; EPOLLONESHOT
 * disarms an entry once reported until EPOLL_CTL_MOD re-arms it. An edge-triggered (EPOLLET)
 * entry, once reported, is reported again only after its file's wait queue has been woken
 * since — new data, a new peer, a hang-up. Linux wakes selectively by event kind, so a wake-up
 * for the other direction of a file can make jVisor report an entry again where Linux does
 * not: more reports than Linux, never fewer. As in Linux, the list does not keep a file open:
 * its entries go when the file's last descriptor is closed ({@link OpenFile.ReleaseWatcher}).
 * An epoll instance may watch another (to {@link #MAX_NESTING} levels), never itself or one
 * that watches it.
 */
public final class EpollFile extends OpenFile implements OpenFile.ReleaseWatcher {
    public static final int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
    public static final int EPOLLIN = 0x1, EPOLLPRI = 0x2, EPOLLOUT = 0x4, EPOLLERR = 0x8, EPOLLHUP = 0x10,
            EPOLLRDHUP = 0x2000, EPOLLEXCLUSIVE = 1 << 28, EPOLLWAKEUP = 1 << 29, EPOLLONESHOT = 1 << 30, EPOLLET = 1 << 31;
    /** What EPOLLEXCLUSIVE may come with (fs/eventpoll.c: EPOLLEXCLUSIVE_OK_BITS). */
    private static final int EXCLUSIVE_OK = EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE;
    /** How deep epoll instances may watch one another (fs/eventpoll.c: EP_MAX_NESTS). */
    public static final int MAX_NESTING = 4;

    /** One watched file. */
    public static final class Entry {
        final int fd;
        final OpenFile file;
        int events;
        long data;
        boolean disarmed;
        /** The watched queue's wake-up count when an edge-triggered entry was last reported; -1 before. */
        long reportedAt = -1;

        Entry(int fd, OpenFile file, int events, long data) {
            this.fd = fd;
            this.file = file;
            this.events = events;
            this.data = data;
        }
    }

    private final Map<Long, Entry> interest = new LinkedHashMap<>();
    private final WaitQueue queue = new WaitQueue();

    public EpollFile(int flags) {
        super(AnonInode.location(), "anon_inode:[eventpoll]", FileMode.O_RDWR | flags);
    }

    private static long key(int fd, OpenFile f) {
        return ((long) fd << 32) | (System.identityHashCode(f) & 0xffffffffL);
    }

    public void control(int op, int fd, OpenFile file, int events, long data) {
        if (file == this) throw Errno.EINVAL.exception();
        boolean exclusive = (events & EPOLLEXCLUSIVE) != 0 && op != EPOLL_CTL_DEL;
        if (exclusive && (op == EPOLL_CTL_MOD || file instanceof EpollFile || (events & ~EXCLUSIVE_OK) != 0)) {
            throw Errno.EINVAL.exception();
        }
        // Checked before taking this instance's lock: the walk locks the watched instances.
        if (op == EPOLL_CTL_ADD && file instanceof EpollFile inner && (inner.reaches(this, 1) || inner.depth() >= MAX_NESTING)) {
            throw Errno.ELOOP.exception();
        }
        synchronized (this) {
            long k = key(fd, file);
            switch (op) {
                case EPOLL_CTL_ADD -> {
                    if (interest.containsKey(k)) throw Errno.EEXIST.exception();
                    if (!file.watchRelease(this)) throw Errno.EBADF.exception();
                    interest.put(k, new Entry(fd, file, events | EPOLLERR | EPOLLHUP, data));
                }
                case EPOLL_CTL_MOD -> {
                    Entry e = interest.get(k);
                    if (e == null) throw Errno.ENOENT.exception();
                    if ((e.events & EPOLLEXCLUSIVE) != 0) throw Errno.EINVAL.exception();
                    e.events = events | EPOLLERR | EPOLLHUP;
                    e.data = data;
                    e.disarmed = false;
                    e.reportedAt = -1;
                }
                case EPOLL_CTL_DEL -> {
                    Entry e = interest.remove(k);
                    if (e == null) throw Errno.ENOENT.exception();
                    if (!watches(e.file)) e.file.unwatchRelease(this);
                }
                default -> throw Errno.EINVAL.exception();
            }
        }
        queue.wakeAll();
    }

    private boolean watches(OpenFile f) {
        for (Entry e : interest.values()) if (e.file == f) return true;
        return false;
    }

    /** Whether {@code target} is this instance or one it watches, directly or through others. */
    private boolean reaches(EpollFile target, int level) {
        if (this == target) return true;
        if (level > MAX_NESTING) return true;   // deeper than allowed counts as a loop
        for (EpollFile inner : watchedInstances()) {
            if (inner.reaches(target, level + 1)) return true;
        }
        return false;
    }

    /** How many levels of epoll instances this one watches through (0: none). */
    private int depth() {
        int d = 0;
        for (EpollFile inner : watchedInstances()) d = Math.max(d, 1 + inner.depth());
        return d;
    }

    private synchronized List<EpollFile> watchedInstances() {
        List<EpollFile> out = new ArrayList<>();
        for (Entry e : interest.values()) if (e.file instanceof EpollFile inner) out.add(inner);
        return out;
    }

    /** A watched file's last descriptor went: its entries go with it. */
    @Override
    public void released(OpenFile file) {
        synchronized (this) {
            interest.values().removeIf(e -> e.file == file);
        }
        queue.wakeAll();
    }

    /** The files watched, for a waiter to sleep on their queues. */
    public synchronized List<OpenFile> files() {
        List<OpenFile> out = new ArrayList<>();
        for (Entry e : interest.values()) out.add(e.file);
        return out;
    }

    /** Collects up to {@code max} ready entries as {events, data} pairs. */
    public synchronized List<long[]> ready(int max) {
        List<long[]> out = new ArrayList<>();
        for (Entry e : interest.values()) {
            if (out.size() >= max) break;
            if (e.disarmed) continue;
            WaitQueue q = (e.events & EPOLLET) != 0 ? e.file.waitQueue() : null;
            // Read before polling: a wake-up racing with the poll then counts as a new edge.
            long wakeups = q == null ? -1 : q.wakeups();
            if (q != null && wakeups == e.reportedAt) continue;
            int mask = e.events & ~(EPOLLET | EPOLLONESHOT | EPOLLEXCLUSIVE | EPOLLWAKEUP);
            int r = e.file.poll(mask) & (mask | EPOLLERR | EPOLLHUP);
            if (r == 0) continue;
            out.add(new long[] {r, e.data});
            if (q != null) e.reportedAt = wakeups;
            if ((e.events & EPOLLONESHOT) != 0) e.disarmed = true;
        }
        return out;
    }

    @Override
    public synchronized int poll(int mask) {
        for (Entry e : interest.values()) {
            if (e.disarmed) continue;
            if (e.file.poll(e.events & 0xffff) != 0) return (POLLIN | POLLRDNORM) & mask;
        }
        return 0;
    }

    @Override
    public WaitQueue waitQueue() { return queue; }

    @Override
    protected synchronized void onLastClose() {
        for (Entry e : interest.values()) e.file.unwatchRelease(this);
        interest.clear();
    }

    /**
     * The files whose wake-ups may make this instance ready: those it watches and, for a
     * watched instance, the files that one watches (a waiter sleeps on all their queues).
     */
    public List<OpenFile> wakeSources() {
        List<OpenFile> out = new ArrayList<>();
        addWakeSources(out, 0);
        return out;
    }

    private void addWakeSources(List<OpenFile> out, int level) {
        for (OpenFile f : files()) {
            out.add(f);
            if (f instanceof EpollFile inner && level < MAX_NESTING) inner.addWakeSources(out, level + 1);
        }
    }

    /** fs/eventpoll.c ep_show_fdinfo: one line per watch. */
    @Override
    public synchronized String fdinfoLines() {
        StringBuilder sb = new StringBuilder();
        for (Entry e : interest.values()) {
            long ino = e.file.inode() == null ? 0 : e.file.inode().ino();
            sb.append(String.format("tfd: %8d events: %8x data: %16x  pos:%d ino:%x sdev:%x%n",
                    e.fd, e.events, e.data, e.file.position(), ino, 0));
        }
        return sb.toString();
    }
}
