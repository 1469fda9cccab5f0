package dev.jvisor.sentry.host;

import dev.jvisor.hostcall.RawSyscall;

import java.lang.foreign.MemorySegment;

/**
 * The glibc functions the Sentry calls (system calls go through {@link RawSyscall} directly).
 * Package-private: {@link Host} wraps each in a typed call. Availability is probed once, when this
 * class initialises.
 */
final class Libc {
    private Libc() {}

    /*
     * The posix_spawn family goes through RawSyscall's one downcall shape, {@code long f(long × 7)}
     * called at the function's address: every distinct downcall shape costs the JVM a generated
     * class the first time it is linked (20-80 ms of a sandbox's start, which the AOT cache cannot
     * hold). The call is exact under the x86-64 System V convention: these functions take at most
     * six integer or pointer arguments (rdi, rsi, rdx, rcx, r8, r9), a callee never reads past its
     * own parameters, and callers narrow the result (eax) to int. These functions report failure
     * as their return value (an errno number), not in errno.
     */

    /** {@code int posix_spawn(pid_t*, const char*, const posix_spawn_file_actions_t*, const posix_spawnattr_t*, char* const[], char* const[])}. */
    static final MemorySegment POSIX_SPAWN = RawSyscall.libcFunction("posix_spawn");
    /** {@code int posix_spawn_file_actions_init(posix_spawn_file_actions_t*)}. */
    static final MemorySegment FILE_ACTIONS_INIT = RawSyscall.libcFunction("posix_spawn_file_actions_init");
    /** {@code int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t*)}. */
    static final MemorySegment FILE_ACTIONS_DESTROY = RawSyscall.libcFunction("posix_spawn_file_actions_destroy");
    /** {@code int posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t*, int, int)}. */
    static final MemorySegment FILE_ACTIONS_ADDDUP2 = RawSyscall.libcFunction("posix_spawn_file_actions_adddup2");
    /** {@code int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t*, int)}. */
    static final MemorySegment FILE_ACTIONS_ADDCLOSEFROM = RawSyscall.libcFunction("posix_spawn_file_actions_addclosefrom_np");
    /** {@code int posix_spawnattr_init(posix_spawnattr_t*)}. */
    static final MemorySegment SPAWNATTR_INIT = RawSyscall.libcFunction("posix_spawnattr_init");
    /** {@code int posix_spawnattr_setflags(posix_spawnattr_t*, short)}. */
    static final MemorySegment SPAWNATTR_SETFLAGS = RawSyscall.libcFunction("posix_spawnattr_setflags");
    /** {@code int posix_spawnattr_setsigmask(posix_spawnattr_t*, const sigset_t*)}. */
    static final MemorySegment SPAWNATTR_SETSIGMASK = RawSyscall.libcFunction("posix_spawnattr_setsigmask");
    /** {@code int posix_spawnattr_setsigdefault(posix_spawnattr_t*, const sigset_t*)}. */
    static final MemorySegment SPAWNATTR_SETSIGDEFAULT = RawSyscall.libcFunction("posix_spawnattr_setsigdefault");
    /** {@code int posix_spawnattr_destroy(posix_spawnattr_t*)}. */
    static final MemorySegment SPAWNATTR_DESTROY = RawSyscall.libcFunction("posix_spawnattr_destroy");

    /** Calls a posix_spawn family function; unused arguments are zero. */
    static int call(MemorySegment fn, long a0, long a1, long a2, long a3, long a4, long a5) {
        return (int) RawSyscall.callFunction(fn, a0, a1, a2, a3, a4, a5);
    }

    static int call(MemorySegment fn, long a0) { return call(fn, a0, 0, 0, 0, 0, 0); }
    static int call(MemorySegment fn, long a0, long a1) { return call(fn, a0, a1, 0, 0, 0, 0); }
    static int call(MemorySegment fn, long a0, long a1, long a2) { return call(fn, a0, a1, a2, 0, 0, 0); }

    /** glibc's posix_spawn_file_actions_t and posix_spawnattr_t are 80 and 336 bytes; room to spare. */
    static final long FILE_ACTIONS_SIZE = 256;
    static final long SPAWNATTR_SIZE = 512;
}
