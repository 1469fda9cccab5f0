package dev.jvisor.sentry.host;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The raw downcall handles into glibc. Package-private: {@link Host} wraps each in a typed call.
 * Availability is probed once, when this class initialises.
 */
final class Libc {
    private Libc() {}

    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    static final VarHandle ERRNO = CALL_STATE.varHandle(
            java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final FunctionDescriptor SYSCALL_SHAPE =
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);

    /** {@code long syscall(long number, ...)}: six variadic long arguments. */
    static final MethodHandle SYSCALL = handle("syscall", SYSCALL_SHAPE, Linker.Option.firstVariadicArg(1), CAPTURE_ERRNO);

    /*
     * The posix_spawn family is linked in SYSCALL's shape too: {@code long f(long, ...)} with
     * seven long arguments, the first six theirs and the last zero. Every distinct downcall shape costs the JVM a generated class the first
     * time it is linked (20-80 ms of a sandbox's start, which the AOT cache cannot hold), while
     * handles of one shape share one. The call is exact under the x86-64 System V convention:
     * these functions take at most six integer or pointer arguments (rdi, rsi, rdx, rcx, r8, r9),
     * a callee never reads the registers past its own parameters, a variadic call differs from a
     * plain one only in %al (the count of vector registers used, 0 here) which a non-variadic
     * callee ignores, and callers narrow the result (eax) to int. These functions report failure
     * as their return value (an errno number), not in errno.
     */

    /** {@code int posix_spawn(pid_t*, const char*, const posix_spawn_file_actions_t*, const posix_spawnattr_t*, char* const[], char* const[])}. */
    static final MethodHandle POSIX_SPAWN = spawnFamily("posix_spawn");
    /** {@code int posix_spawn_file_actions_init(posix_spawn_file_actions_t*)}. */
    static final MethodHandle FILE_ACTIONS_INIT = spawnFamily("posix_spawn_file_actions_init");
    /** {@code int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t*)}. */
    static final MethodHandle FILE_ACTIONS_DESTROY = spawnFamily("posix_spawn_file_actions_destroy");
    /** {@code int posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t*, int, int)}. */
    static final MethodHandle FILE_ACTIONS_ADDDUP2 = spawnFamily("posix_spawn_file_actions_adddup2");
    /** {@code int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t*, int)}. */
    static final MethodHandle FILE_ACTIONS_ADDCLOSEFROM = spawnFamily("posix_spawn_file_actions_addclosefrom_np");
    /** {@code int posix_spawnattr_init(posix_spawnattr_t*)}. */
    static final MethodHandle SPAWNATTR_INIT = spawnFamily("posix_spawnattr_init");
    /** {@code int posix_spawnattr_setflags(posix_spawnattr_t*, short)}. */
    static final MethodHandle SPAWNATTR_SETFLAGS = spawnFamily("posix_spawnattr_setflags");
    /** {@code int posix_spawnattr_setsigmask(posix_spawnattr_t*, const sigset_t*)}. */
    static final MethodHandle SPAWNATTR_SETSIGMASK = spawnFamily("posix_spawnattr_setsigmask");
    /** {@code int posix_spawnattr_setsigdefault(posix_spawnattr_t*, const sigset_t*)}. */
    static final MethodHandle SPAWNATTR_SETSIGDEFAULT = spawnFamily("posix_spawnattr_setsigdefault");
    /** {@code int posix_spawnattr_destroy(posix_spawnattr_t*)}. */
    static final MethodHandle SPAWNATTR_DESTROY = spawnFamily("posix_spawnattr_destroy");

    private static MethodHandle spawnFamily(String name) {
        return handle(name, SYSCALL_SHAPE, Linker.Option.firstVariadicArg(1), CAPTURE_ERRNO);
    }

    /** Calls a posix_spawn family function; unused arguments are zero. */
    static int call(MethodHandle fn, long a0, long a1, long a2, long a3, long a4, long a5) {
        try {
            return (int) (long) fn.invokeExact(CALL_STATE_BUFFER.get(), a0, a1, a2, a3, a4, a5, 0L);
        } catch (Throwable t) {
            throw new AssertionError("downcall", t);
        }
    }

    static int call(MethodHandle fn, long a0) { return call(fn, a0, 0, 0, 0, 0, 0); }
    static int call(MethodHandle fn, long a0, long a1) { return call(fn, a0, a1, 0, 0, 0, 0); }
    static int call(MethodHandle fn, long a0, long a1, long a2) { return call(fn, a0, a1, a2, 0, 0, 0); }

    /** glibc's posix_spawn_file_actions_t and posix_spawnattr_t are 80 and 336 bytes; room to spare. */
    static final long FILE_ACTIONS_SIZE = 256;
    static final long SPAWNATTR_SIZE = 512;

    private static MethodHandle handle(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment symbol = LOOKUP.find(name).orElseThrow(() -> new UnsatisfiedLinkError(
                "jVisor needs glibc's " + name + " (glibc 2.34 or newer on x86-64 Linux)"));
        return LINKER.downcallHandle(symbol, fd, options);
    }

    /** A per-thread buffer for the captured errno. */
    static final ThreadLocal<MemorySegment> CALL_STATE_BUFFER =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE));
}
