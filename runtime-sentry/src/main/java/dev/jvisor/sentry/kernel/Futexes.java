package dev.jvisor.sentry.kernel;

import dev.jvisor.sentry.mm.AddressSpace;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Futex wait queues, keyed by (address space, address) — private futexes, which is what threads
 * sharing an address space use. A wake bumps the key's sequence and wakes its sleepers; each
 * re-checks its own condition.
 */
public final class Futexes {
    private Futexes() {}

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

    /** One futex word's waiters. */
    public static final class Slot {
        final WaitQueue queue = new WaitQueue();
        long wakes;
        int waiters;
    }

    private static final Map<Key, Slot> SLOTS = new ConcurrentHashMap<>();

    /**
     * FUTEX_WAIT: sleeps while the word at {@code addr} holds {@code expected}. Returns false on
     * timeout; EAGAIN if the word differs; ERESTARTSYS when a signal interrupts.
     */
    public static boolean await(Task t, long addr, int expected, long deadlineNanos) {
        return await(t, addr, expected, deadlineNanos, true);
    }

    public static boolean await(Task t, long addr, int expected, long deadlineNanos, boolean priv) {
        Key key = key(t.mm(), addr, priv);
        Slot s = SLOTS.computeIfAbsent(key, k -> new Slot());
        long seen;
        synchronized (s) {
            if (t.mm().readInt(addr) != expected) throw dev.jvisor.abi.linux.Errno.EAGAIN.exception();
            seen = s.wakes;
            s.waiters++;
        }
        try {
            return t.block(s.queue, () -> {
                synchronized (s) {
                    return s.wakes != seen;
                }
            }, deadlineNanos);
        } finally {
            synchronized (s) {
                s.waiters--;
                if (s.waiters == 0) SLOTS.remove(key, s);
            }
        }
    }

    /** FUTEX_WAKE: wakes waiters on {@code addr}; returns how many it woke (at most {@code n}). */
    public static int wake(AddressSpace as, long addr, int n) {
        return wake(as, addr, n, true);
    }

    public static int wake(AddressSpace as, long addr, int n, boolean priv) {
        Slot s = SLOTS.get(key(as, addr, priv));
        if (s == null) return 0;
        int woken;
        synchronized (s) {
            woken = Math.min(Math.max(n, 0), s.waiters);
            if (woken > 0) s.wakes++;
        }
        if (woken > 0) s.queue.wakeAll();
        return woken;
    }
}
