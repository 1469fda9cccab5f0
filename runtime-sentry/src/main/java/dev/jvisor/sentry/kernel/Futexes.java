package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.sentry.mm.AddressSpace;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Futex wait queues, keyed by (address space, address) for private futexes and by (memory
 * file offset) for shared ones. Each sleeper is a {@link Waiter} in its word's FIFO queue with
 * its bitset; a wake takes up to n matching waiters from the front and wakes exactly those, so
 * the counts FUTEX_WAKE, WAKE_BITSET, REQUEUE and WAKE_OP return are Linux's. Requeueing moves
 * waiter records between words; a waiter sleeps on its own queue, so it need not know where it
 * has been moved.
 */
public final class Futexes {
    private Futexes() {}

    /** FUTEX_BITSET_MATCH_ANY: what plain WAIT and WAKE use. */
    public static final int MATCH_ANY = -1;

    /** Private futexes: (address space, address). Shared ones: (memory file, offset), one key for every mapper. */
    private record Key(Object space, long addr) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.space == space && k.addr == addr;
        }

        @Override
        public int hashCode() { return System.identityHashCode(space) * 31 + Long.hashCode(addr); }
    }

    private static final Object SHARED = new Object();

    private static Key key(AddressSpace as, long addr, boolean priv) {
        if (!priv) {
            long off = as.sharedOffset(addr);
            if (off >= 0) return new Key(SHARED, off);
        }
        return new Key(as, addr);
    }

    /** One sleeping task. Guarded by the global lock. */
    private static final class Waiter {
        final WaitQueue queue = new WaitQueue();
        final int bitset;
        Key key;
        boolean woken;

        Waiter(Key key, int bitset) {
            this.key = key;
            this.bitset = bitset;
        }
    }

    /**
     * One lock for every futex: operations are short, and requeue touches two words, which
     * per-word locks would have to order.
     */
    private static final Object LOCK = new Object();
    private static final Map<Key, ArrayDeque<Waiter>> QUEUES = new ConcurrentHashMap<>();

    /**
     * FUTEX_WAIT: sleeps while the word at {@code addr} holds {@code expected}. Returns false on
     * timeout; EAGAIN if the word differs; ERESTARTSYS when a signal interrupts.
     */
    public static boolean await(Task t, long addr, int expected, long deadlineNanos) {
        return await(t, addr, expected, deadlineNanos, true, MATCH_ANY);
    }

    public static boolean await(Task t, long addr, int expected, long deadlineNanos, boolean priv) {
        return await(t, addr, expected, deadlineNanos, priv, MATCH_ANY);
    }

    /** FUTEX_WAIT_BITSET: as {@link #await}, woken only by wakes whose bitset shares a bit. */
    public static boolean await(Task t, long addr, int expected, long deadlineNanos, boolean priv, int bitset) {
        Waiter w;
        synchronized (LOCK) {
            // Read under the lock that wakers take: a waker that changed the word first is seen.
            if (t.mm().readInt(addr) != expected) throw Errno.EAGAIN.exception();
            w = new Waiter(key(t.mm(), addr, priv), bitset);
            QUEUES.computeIfAbsent(w.key, k -> new ArrayDeque<>()).addLast(w);
        }
        boolean woken = false;
        try {
            woken = t.block(w.queue, () -> {
                synchronized (LOCK) {
                    return w.woken;
                }
            }, deadlineNanos);
            return woken;
        } finally {
            synchronized (LOCK) {
                if (!w.woken) remove(w);
            }
        }
    }

    private static void remove(Waiter w) {
        ArrayDeque<Waiter> q = QUEUES.get(w.key);
        if (q == null) return;
        q.remove(w);
        if (q.isEmpty()) QUEUES.remove(w.key, q);
    }

    /** FUTEX_WAKE: wakes up to {@code n} waiters on {@code addr}; returns how many it woke. */
    public static int wake(AddressSpace as, long addr, int n) {
        return wake(as, addr, n, true, MATCH_ANY);
    }

    public static int wake(AddressSpace as, long addr, int n, boolean priv) {
        return wake(as, addr, n, priv, MATCH_ANY);
    }

    /** FUTEX_WAKE_BITSET: wakes up to {@code n} waiters whose bitset shares a bit with {@code bitset}. */
    public static int wake(AddressSpace as, long addr, int n, boolean priv, int bitset) {
        synchronized (LOCK) {
            return wakeLocked(key(as, addr, priv), n, bitset);
        }
    }

    private static int wakeLocked(Key key, int n, int bitset) {
        ArrayDeque<Waiter> q = QUEUES.get(key);
        if (q == null || n <= 0) return 0;
        int woken = 0;
        for (Iterator<Waiter> it = q.iterator(); it.hasNext() && woken < n; ) {
            Waiter w = it.next();
            if ((w.bitset & bitset) == 0) continue;
            it.remove();
            w.woken = true;
            w.queue.wakeAll();
            woken++;
        }
        if (q.isEmpty()) QUEUES.remove(key, q);
        return woken;
    }

    /**
     * FUTEX_REQUEUE / FUTEX_CMP_REQUEUE: wakes up to {@code wakeCount} waiters of {@code addr}
     * and moves up to {@code requeueCount} of the rest to {@code addr2}. With {@code compare},
     * EAGAIN unless the word at {@code addr} still holds {@code expected}. Returns the number
     * woken plus, for CMP_REQUEUE, the number moved.
     */
    public static int requeue(AddressSpace as, long addr, long addr2, int wakeCount, int requeueCount,
                              boolean priv, boolean compare, int expected) {
        synchronized (LOCK) {
            if (compare && as.readInt(addr) != expected) throw Errno.EAGAIN.exception();
            Key from = key(as, addr, priv), to = key(as, addr2, priv);
            int woken = wakeLocked(from, wakeCount, MATCH_ANY);
            int moved = 0;
            ArrayDeque<Waiter> q = QUEUES.get(from);
            if (q != null && !from.equals(to)) {
                while (moved < requeueCount && !q.isEmpty()) {
                    Waiter w = q.pollFirst();
                    w.key = to;
                    QUEUES.computeIfAbsent(to, k -> new ArrayDeque<>()).addLast(w);
                    moved++;
                }
                if (q.isEmpty()) QUEUES.remove(from, q);
            }
            return compare ? woken + moved : woken;
        }
    }

    /** Runs {@code op} (which reads and writes application memory) under the futex lock, for WAKE_OP. */
    public static int wakeOp(AddressSpace as, long addr, long addr2, int wake1, int wake2, boolean priv,
                             java.util.function.IntSupplier op) {
        synchronized (LOCK) {
            int oldValue = op.getAsInt(); // the old value's comparison result: 1 when addr2 is to be woken
            int woken = wakeLocked(key(as, addr, priv), wake1, MATCH_ANY);
            if (oldValue != 0) woken += wakeLocked(key(as, addr2, priv), wake2, MATCH_ANY);
            return woken;
        }
    }
}
