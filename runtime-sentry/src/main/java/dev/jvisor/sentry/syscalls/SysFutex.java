package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.Sysno;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.Futexes;
import dev.jvisor.sentry.platform.Registers;


/**
 * Implements futex(2) WAIT, WAKE and WAIT_BITSET/WAKE_BITSET for tasks sharing an address space.
 * The wait queues live in {@link dev.jvisor.sentry.kernel.Futexes}.
 */
final class SysFutex {
    private SysFutex() {}

    private static final int FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_REQUEUE = 3, FUTEX_CMP_REQUEUE = 4,
            FUTEX_WAKE_OP = 5, FUTEX_WAIT_BITSET = 9, FUTEX_WAKE_BITSET = 10, FUTEX_PRIVATE = 128, FUTEX_CLOCK_REALTIME = 256;

    static void register(Registrar r) {
        r.partial(Sysno.FUTEX, "pxdppd", "WAIT, WAKE, WAIT_BITSET, WAKE_BITSET; requeue and PI operations are ENOSYS", SysFutex::futex);
    }

    private static long futex(Task t, Registers a) {
        long addr = a.arg(0);
        int op = (int) a.arg(1) & ~(FUTEX_PRIVATE | FUTEX_CLOCK_REALTIME);
        int val = (int) a.arg(2);
        boolean priv = ((int) a.arg(1) & FUTEX_PRIVATE) != 0;
        if ((addr & 3) != 0) throw Errno.EINVAL.exception();
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
                if (!Futexes.await(t, addr, val, deadline, priv)) throw Errno.ETIMEDOUT.exception();
                return 0;
            }
            case FUTEX_WAKE, FUTEX_WAKE_BITSET -> {
                return Futexes.wake(t.mm(), addr, val, priv);
            }
            default -> throw Errno.ENOSYS.exception();
        }
    }
}
