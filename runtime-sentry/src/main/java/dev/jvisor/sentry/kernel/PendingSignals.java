package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.linux.Signal;

import java.util.ArrayDeque;

/**
 * Signals waiting for delivery. Standard signals (1–31) coalesce: one of each at most;
 * real-time signals (32–64) queue in order.
 */
final class PendingSignals {
    private long mask;
    private final SigInfo[] standard = new SigInfo[32];
    @SuppressWarnings("unchecked")
    private final ArrayDeque<SigInfo>[] realtime = new ArrayDeque[Signal.NSIG + 1];

    synchronized long mask() { return mask; }

    /** Queues {@code s}; false if a standard signal of that number was already pending. */
    synchronized boolean add(SigInfo s) {
        int sig = s.signo;
        if (sig < Signal.SIGRTMIN) {
            if ((mask & Signal.bit(sig)) != 0) return false;
            standard[sig] = s;
        } else {
            if (realtime[sig] == null) realtime[sig] = new ArrayDeque<>();
            realtime[sig].add(s);
        }
        mask |= Signal.bit(sig);
        return true;
    }

    /** Removes and returns the lowest-numbered pending signal not in {@code blocked}. */
    synchronized SigInfo take(long blocked) {
        long ready = mask & ~blocked;
        if (ready == 0) return null;
        // Synchronous faults first, as Linux does (SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGSYS).
        long sync = ready & (Signal.bit(Signal.SIGSEGV) | Signal.bit(Signal.SIGBUS) | Signal.bit(Signal.SIGILL)
                | Signal.bit(Signal.SIGTRAP) | Signal.bit(Signal.SIGFPE) | Signal.bit(Signal.SIGSYS));
        int sig = Long.numberOfTrailingZeros(sync != 0 ? sync : ready) + 1;
        return takeSignal(sig);
    }

    synchronized SigInfo takeSignal(int sig) {
        if ((mask & Signal.bit(sig)) == 0) return null;
        SigInfo s;
        if (sig < Signal.SIGRTMIN) {
            s = standard[sig];
            standard[sig] = null;
            mask &= ~Signal.bit(sig);
        } else {
            s = realtime[sig].poll();
            if (realtime[sig].isEmpty()) mask &= ~Signal.bit(sig);
        }
        taken(s);
        return s;
    }

    private static void taken(SigInfo s) {
        if (s != null && s.onTake != null) s.onTake.accept(s);
    }

    /** Drops every pending instance of the signals in {@code set}. */
    synchronized void discard(long set) {
        for (int sig = 1; sig <= Signal.NSIG; sig++) {
            if ((set & Signal.bit(sig)) != 0 && (mask & Signal.bit(sig)) != 0) {
                if (sig < Signal.SIGRTMIN) {
                    taken(standard[sig]);
                    standard[sig] = null;
                } else {
                    realtime[sig].forEach(PendingSignals::taken);
                    realtime[sig].clear();
                }
                mask &= ~Signal.bit(sig);
            }
        }
    }
}
