package dev.jvisor.sentry.kernel;

/**
 * What a dying thread does to the robust futexes it holds (Documentation/locking/robust-futexes
 * and robust-futex-ABI): every lock word on its list still naming it as owner gets
 * FUTEX_OWNER_DIED, and one waiter is woken, so the next locker sees EOWNERDEAD instead of
 * waiting forever. The list lives in application memory and is walked defensively: a bad
 * pointer or a loop ends the walk, never the Sentry.
 */
final class RobustFutexes {
    private RobustFutexes() {}

    /** include/uapi/linux/futex.h. */
    static final int FUTEX_WAITERS = 0x80000000, FUTEX_OWNER_DIED = 0x40000000, FUTEX_TID_MASK = 0x3fffffff;
    /** ROBUST_LIST_LIMIT: Linux stops after this many entries, which also ends a circular list. */
    private static final int LIMIT = 2048;

    /** struct robust_list_head: next at 0, futex_offset at 8, list_op_pending at 16. */
    static void release(Task t) {
        long head = t.robustListHead;
        if (head == 0) return;
        try {
            long next = t.as.readLong(head) & ~1L;
            long offset = t.as.readLong(head + 8);
            long pending = t.as.readLong(head + 16) & ~1L;
            for (int i = 0; next != head && next != 0 && i < LIMIT; i++) {
                long following = t.as.readLong(next) & ~1L;
                // The entry the thread was busy with is handled last, once (Linux does the same).
                if (next != pending) handle(t, next + offset);
                next = following;
            }
            if (pending != 0) handle(t, pending + offset);
        } catch (RuntimeException e) {
            // the list points at unmapped memory: Linux stops walking too
        }
    }

    private static void handle(Task t, long word) {
        if ((word & 3) != 0) return;
        int value = t.as.readInt(word);
        if ((value & FUTEX_TID_MASK) != t.tid) return;
        t.as.writeInt(word, (value & FUTEX_WAITERS) | FUTEX_OWNER_DIED);
        if ((value & FUTEX_WAITERS) != 0) Futexes.wake(t.as, word, 1, false);
    }
}
