package dev.jvisor.sentry.vfs;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.sentry.kernel.WaitQueue;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The advisory locks of one inode, as fs/locks.c keeps them: byte-range record locks whose owner
 * is an fd table (POSIX {@code F_SETLK}: every fd a process has on the file shares them, closing
 * any of them drops them all) or an open file description ({@code F_OFD_SETLK}, dropped with its
 * last close), and whole-file {@code flock(2)} locks owned by an open file description. Record
 * locks of one owner merge when they touch and have the same type; a lock conflicts with another
 * owner's overlapping lock unless both are read locks. flock and record locks do not see each
 * other. Waiters sleep on {@link #queue}, woken by every release.
 */
public final class FileLocks {
    /** <asm-generic/fcntl.h> l_type values. */
    public static final int F_RDLCK = 0, F_WRLCK = 1, F_UNLCK = 2;
    /** End of a lock that reaches past any offset (l_len 0). */
    public static final long TO_END = Long.MAX_VALUE;

    /**
     * One record lock over [start, end).
     *
     * @param pid the locking process's id, as F_GETLK reports it (-1 for an OFD lock)
     */
    public record Record(Object owner, int pid, int type, long start, long end) {
        boolean overlaps(long s, long e) { return start < e && s < end; }
    }

    private final List<Record> records = new ArrayList<>();
    private final Map<OpenFile, Integer> flocks = new IdentityHashMap<>();
    /** Wakes tasks waiting for a lock here. */
    public final WaitQueue queue = new WaitQueue();
    /** POSIX owners blocked in F_SETLKW → the owner they wait for, for deadlock detection (fs/locks.c blocked_hash). */
    private static final Map<Object, Object> WAITING_FOR = new ConcurrentHashMap<>();

    /**
     * The lock of another owner that conflicts with a lock of {@code type} over [start, end) and
     * starts first (Linux keeps an owner's locks in order and reports the first it meets), or null.
     */
    public synchronized Record conflict(Object owner, int type, long start, long end) {
        Record first = null;
        for (Record r : records) {
            if (r.owner != owner && r.overlaps(start, end) && (type == F_WRLCK || r.type == F_WRLCK)
                    && (first == null || r.start < first.start)) first = r;
        }
        return first;
    }

    /**
     * Sets (or with F_UNLCK clears) {@code owner}'s lock over [start, end) if no other owner's
     * lock conflicts; false when one does. The owner's own locks in the range are replaced.
     */
    public boolean trySet(Object owner, int pid, int type, long start, long end) {
        synchronized (this) {
            if (type != F_UNLCK && conflict(owner, type, start, end) != null) return false;
            List<Record> next = new ArrayList<>(records.size() + 2);
            long mergedStart = start, mergedEnd = end;
            for (Record r : records) {
                if (r.owner != owner) {
                    next.add(r);
                } else if (type != F_UNLCK && r.type == type && r.start <= end && start <= r.end) {
                    // touches the new lock and has its type: one lock covers both
                    mergedStart = Math.min(mergedStart, r.start);
                    mergedEnd = Math.max(mergedEnd, r.end);
                } else if (!r.overlaps(start, end)) {
                    next.add(r);
                } else {
                    // the part of an older lock outside the range stays, on either side
                    if (r.start < start) next.add(new Record(owner, r.pid, r.type, r.start, start));
                    if (r.end > end) next.add(new Record(owner, r.pid, r.type, end, r.end));
                }
            }
            if (type != F_UNLCK) next.add(new Record(owner, pid, type, mergedStart, mergedEnd));
            records.clear();
            records.addAll(next);
        }
        queue.wakeAll();
        return true;
    }

    /**
     * EDEADLK when {@code owner} waiting for {@code holder} would close a cycle of POSIX waiters;
     * else records the wait. Cleared by {@link #doneWaiting}.
     */
    public static void startWaiting(Object owner, Object holder) {
        Object cur = holder;
        for (int hops = 0; cur != null && hops < 64; hops++) {
            if (cur == owner) throw Errno.EDEADLK.exception();
            cur = WAITING_FOR.get(cur);
        }
        WAITING_FOR.put(owner, holder);
    }

    public static void doneWaiting(Object owner) { WAITING_FOR.remove(owner); }

    /** Drops every record lock of {@code owner} (an fd table closing a descriptor of this file, or a last close). */
    public void releaseRecords(Object owner) {
        boolean changed;
        synchronized (this) {
            changed = records.removeIf(r -> r.owner == owner);
        }
        if (changed) queue.wakeAll();
    }

    /**
     * flock(2) for {@code file}: sets its lock to {@code type} (F_RDLCK shared, F_WRLCK exclusive,
     * F_UNLCK none) unless another description's lock conflicts; false when one does.
     */
    public boolean tryFlock(OpenFile file, int type) {
        synchronized (this) {
            if (type == F_UNLCK) {
                if (flocks.remove(file) == null) return true;
            } else {
                for (Map.Entry<OpenFile, Integer> e : flocks.entrySet()) {
                    if (e.getKey() != file && (type == F_WRLCK || e.getValue() == F_WRLCK)) return false;
                }
                flocks.put(file, type);
            }
        }
        queue.wakeAll();
        return true;
    }

    /** Whether {@code file} holds a flock lock (a conversion drops it before waiting, as Linux does). */
    public synchronized boolean holdsFlock(OpenFile file) { return flocks.containsKey(file); }

    /** The last close of {@code file}: its flock and OFD record locks go. */
    public void lastClose(OpenFile file) {
        boolean changed;
        synchronized (this) {
            changed = flocks.remove(file) != null;
            changed |= records.removeIf(r -> r.owner == file);
        }
        if (changed) queue.wakeAll();
    }
}
