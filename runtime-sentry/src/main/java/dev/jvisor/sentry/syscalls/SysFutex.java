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
        r.partial(Sysno.FUTEX, "pxdppd", "WAIT, WAKE, bitsets, REQUEUE, CMP_REQUEUE, WAKE_OP (its read-modify-write is not atomic against"
                + " other threads' plain stores); PI operations are ENOSYS", SysFutex::futex);
    }

    /**
     * FUTEX_WAKE_OP's operation on the word at {@code addr2} (linux/futex.h FUTEX_OP): stores
     * {@code old OP oparg} and returns 1 when {@code old CMP cmparg} holds.
     */
    private static int applyWakeOp(Task t, long addr2, int encoded) {
        int op = (encoded >>> 28) & 7;
        boolean shift = ((encoded >>> 28) & 8) != 0;
        int cmp = (encoded >>> 24) & 15;
        int oparg = (encoded << 8) >> 20;   // bits 12..23, sign-extended
        int cmparg = (encoded << 20) >> 20; // bits 0..11, sign-extended
        if (shift) {
            if (oparg < 0 || oparg > 31) throw Errno.EINVAL.exception();
            oparg = 1 << oparg;
        }
        int old = t.mm().readInt(addr2);
        int next = switch (op) {
            case 0 -> oparg;          // FUTEX_OP_SET
            case 1 -> old + oparg;    // FUTEX_OP_ADD
            case 2 -> old | oparg;    // FUTEX_OP_OR
            case 3 -> old & ~oparg;   // FUTEX_OP_ANDN
            case 4 -> old ^ oparg;    // FUTEX_OP_XOR
            default -> throw Errno.ENOSYS.exception();
        };
        boolean result = switch (cmp) {
            case 0 -> old == cmparg;  // FUTEX_OP_CMP_EQ
            case 1 -> old != cmparg;  // NE
            case 2 -> old < cmparg;   // LT
            case 3 -> old <= cmparg;  // LE
            case 4 -> old > cmparg;   // GT
            case 5 -> old >= cmparg;  // GE
            default -> throw Errno.ENOSYS.exception();
        };
        t.mm().writeInt(addr2, next);
        return result ? 1 : 0;
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
                int bitset = op == FUTEX_WAIT_BITSET ? (int) a.arg(5) : Futexes.MATCH_ANY;
                if (!Futexes.await(t, addr, val, deadline, priv, bitset)) throw Errno.ETIMEDOUT.exception();
                return 0;
            }
            case FUTEX_WAKE -> {
                return Futexes.wake(t.mm(), addr, val, priv);
            }
            case FUTEX_WAKE_BITSET -> {
                if ((int) a.arg(5) == 0) throw Errno.EINVAL.exception();
                return Futexes.wake(t.mm(), addr, val, priv, (int) a.arg(5));
            }
            case FUTEX_REQUEUE, FUTEX_CMP_REQUEUE -> {
                // The fourth argument is not a timeout here but the number of waiters to move.
                int moveCount = (int) a.arg(3);
                if (val < 0 || moveCount < 0 || (a.arg(4) & 3) != 0) throw Errno.EINVAL.exception();
                return Futexes.requeue(t.mm(), addr, a.arg(4), val, moveCount, priv, op == FUTEX_CMP_REQUEUE, (int) a.arg(5));
            }
            case FUTEX_WAKE_OP -> {
                long addr2 = a.arg(4);
                if ((addr2 & 3) != 0) throw Errno.EINVAL.exception();
                int encoded = (int) a.arg(5);
                int wake2 = (int) a.arg(3);
                return Futexes.wakeOp(t.mm(), addr, addr2, val, wake2, priv, () -> applyWakeOp(t, addr2, encoded));
            }
            default -> throw Errno.ENOSYS.exception();
        }
    }
}
