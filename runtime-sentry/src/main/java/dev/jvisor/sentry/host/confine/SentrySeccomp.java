package dev.jvisor.sentry.host.confine;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.jvisor.abi.Seccomp;
import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.Sysno;
import dev.jvisor.seccomp.SeccompAssembler;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * Puts {@link SentrySyscallPolicy}'s filter on every thread of this process
 * (SECCOMP_FILTER_FLAG_TSYNC), after setting no_new_privs, which seccomp requires of a process
 * without CAP_SYS_ADMIN and which TSYNC carries to the other threads. Threads started later
 * inherit the filter from the thread that starts them, and processes spawned later from their
 * parent: the filter cannot be taken off.
 */
public final class SentrySeccomp {
    /** {@code struct sock_fprog}: unsigned short len, padding, struct sock_filter *filter. */
    private static final StructLayout SOCK_FPROG = MemoryLayout.structLayout(
            JAVA_SHORT.withName("len"), MemoryLayout.paddingLayout(6), JAVA_LONG.withName("filter"));

    private SentrySeccomp() {}

    /** The filter could not be installed: the sandbox must not run unconfined. */
    public static final class SeccompException extends Exception {
        private final Errno errno;

        SeccompException(String message, Errno errno) {
            super(message);
            this.errno = errno;
        }

        /** The host errno, or {@code null} when the kernel named a thread it could not synchronise. */
        public Errno errno() { return errno; }
    }

    /** Installs the Sentry's filter on all threads of this process. */
    public static void install() throws SeccompException {
        install(SeccompAssembler.encode(SentrySyscallPolicy.program()));
    }

    static void install(byte[] program) throws SeccompException {
        call("prctl(PR_SET_NO_NEW_PRIVS)", Sysno.PRCTL, Seccomp.PR_SET_NO_NEW_PRIVS, 1, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment filter = arena.allocate(program.length, 8);
            filter.copyFrom(MemorySegment.ofArray(program));
            MemorySegment fprog = arena.allocate(SOCK_FPROG);
            fprog.set(JAVA_SHORT, 0, (short) (program.length / 8));
            fprog.set(JAVA_LONG, 8, filter.address());
            long r = call("seccomp(SECCOMP_SET_MODE_FILTER, TSYNC)", Sysno.SECCOMP,
                    Seccomp.SECCOMP_SET_MODE_FILTER, Seccomp.SECCOMP_FILTER_FLAG_TSYNC, fprog.address());
            // With TSYNC a positive result is the id of a thread whose filters diverge.
            if (r > 0) throw new SeccompException("seccomp: thread " + r + " could not take the filter", null);
        }
    }

    private static long call(String what, long nr, long a0, long a1, long a2) throws SeccompException {
        try {
            return ConfineNative.syscall(nr, a0, a1, a2);
        } catch (ConfineNative.CallFailed e) {
            throw new SeccompException(what + ": " + e.getMessage(), e.errno());
        }
    }
}
