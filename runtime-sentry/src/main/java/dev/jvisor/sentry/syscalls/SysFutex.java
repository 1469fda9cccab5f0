package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.Sysno;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.WaitQueue;
import dev.jvisor.sentry.mm.AddressSpace;
import dev.jvisor.sentry.platform.Registers;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Implements futex(2) WAIT, WAKE and WAIT_BITSET/WAKE_BITSET for tasks sharing an address space.
 * Waiters park on a queue keyed by (address space, address); a wake bumps the key's sequence.
 */
final class SysFutex {
    private SysFutex() {}

    private static final int FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_REQUEUE = 3, FUTEX_CMP_REQUEUE = 4,
            FUTEX_WAKE_OP = 5, FUTEX_WAIT_BITSET = 9, FUTEX_WAKE_BITSET = 10, FUTEX_PRIVATE = 128, FUTEX_CLOCK_REALTIME = 256;

    private record Key(AddressSpace as, long addr) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.as == as && k.addr == addr;
        }

        @Override
        public int hashCode() { return Objects.hash(System.identityHashCode(as), addr); }
    }

    private static final class Slot {
        final WaitQueue queue = new WaitQueue();
        long wakes;
        int waiters;
    }

    private static final Map<Key, Slot> SLOTS = new ConcurrentHashMap<>();

    static void register(Registrar r) {
        r.partial(Sysno.FUTEX, "pxdppd", "WAIT, WAKE, WAIT_BITSET, WAKE_BITSET; requeue and PI operations are ENOSYS", SysFutex::futex);
    }

    private static long futex(Task t, Registers a) {
        long addr = a.arg(0);
        int op = (int) a.arg(1) & ~(FUTEX_PRIVATE | FUTEX_CLOCK_REALTIME);
        int val = (int) a.arg(2);
        if ((addr & 3) != 0) throw Errno.EINVAL.exception();
        Key key = new Key(t.mm(), addr);
        switch (op) {
            case FUTEX_WAIT, FUTEX_WAIT_BITSET -> {
                if (op == FUTEX_WAIT_BITSET && (int) a.arg(5) == 0) throw Errno.EINVAL.exception();
                long deadline;
                if (a.arg(3) == 0) deadline = Long.MAX_VALUE;
                else if (op == FUTEX_WAIT) deadline = SysTime.deadlineFromTimespec(t, a.arg(3));
                else {
                    long abs = SysTime.readTimespec(t, a.arg(3));
                    int clock = ((int) a.arg(1) & FUTEX_CLOCK_REALTIME) != 0 ? SysTime.CLOCK_REALTIME : SysTime.CLOCK_MONOTONIC;
                    deadline = System.nanoTime() + Math.max(0, abs - SysTime.now(t, clock));
                }
                Slot s = SLOTS.computeIfAbsent(key, k -> new Slot());
                long seen;
                synchronized (s) {
                    if (t.mm().readInt(addr) != val) throw Errno.EAGAIN.exception();
                    seen = s.wakes;
                    s.waiters++;
                }
                try {
                    boolean woke = t.block(s.queue, () -> {
                        synchronized (s) {
                            return s.wakes != seen;
                        }
                    }, deadline);
                    if (!woke) throw Errno.ETIMEDOUT.exception();
                    return 0;
                } finally {
                    synchronized (s) {
                        s.waiters--;
                    }
                }
            }
            case FUTEX_WAKE, FUTEX_WAKE_BITSET -> {
                Slot s = SLOTS.get(key);
                if (s == null) return 0;
                int woken;
                synchronized (s) {
                    woken = Math.min(Math.max(val, 0), s.waiters);
                    if (woken > 0) s.wakes++;
                }
                if (woken > 0) s.queue.wakeAll();
                return woken;
            }
            default -> throw Errno.ENOSYS.exception();
        }
    }
}
