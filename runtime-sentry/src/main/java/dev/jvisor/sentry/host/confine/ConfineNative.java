package dev.jvisor.sentry.host.confine;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.hostcall.RawSyscall;

/** The few raw system calls this package makes (through {@link RawSyscall}), failures as typed errnos. */
final class ConfineNative {
    private ConfineNative() {}

    /** A call failed: its errno, typed where known. */
    static final class CallFailed extends Exception {
        private final Errno errno;

        CallFailed(int errno) {
            super(describe(errno));
            this.errno = Errno.of(errno);
        }

        private static String describe(int errno) {
            Errno e = Errno.of(errno);
            return e == null ? "errno " + errno : e.name() + " (" + e.description() + ")";
        }

        /** The errno, or {@code null} for a number {@link Errno} does not know. */
        Errno errno() { return errno; }
    }

    /** System call {@code nr} with {@code a0, a1, a2} and zeros (prctl checks that the arguments it does not use are zero). */
    static long syscall(long nr, long a0, long a1, long a2) throws CallFailed {
        long r = RawSyscall.call(nr, a0, a1, a2, 0L, 0L, 0L);
        if (RawSyscall.failed(r)) throw new CallFailed(RawSyscall.errno(r));
        return r;
    }
}
