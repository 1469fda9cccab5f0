package dev.jvisor.sentry.host.confine;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.jvisor.abi.linux.Errno;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/** The few raw system calls this package makes (java.lang.foreign), failures as typed errnos. */
final class ConfineNative {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    /**
     * {@code long syscall(long number, ...)} with six variadic long arguments: prctl checks that
     * the ones it does not use are zero, so every register the kernel reads is passed. The same
     * shape as the Sentry's other syscall handles, so that they share one generated downcall stub
     * (each new shape costs start-up time).
     */
    private static final MethodHandle SYSCALL = LINKER.downcallHandle(
            LINKER.defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));

    private ConfineNative() {}

    /** A call returned -1: its errno, typed where known. */
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

    /** {@code syscall(nr, a0, a1, a2, 0, 0)}. */
    static long syscall(long nr, long a0, long a1, long a2) throws CallFailed {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            long r;
            try {
                r = (long) SYSCALL.invokeExact(state, nr, a0, a1, a2, 0L, 0L, 0L);
            } catch (Throwable t) {
                throw new AssertionError("downcall of system call " + nr, t);
            }
            if (r == -1) throw new CallFailed((int) ERRNO.get(state, 0L));
            return r;
        }
    }
}
