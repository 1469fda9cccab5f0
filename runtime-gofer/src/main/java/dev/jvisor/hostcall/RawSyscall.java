package dev.jvisor.hostcall;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Host system calls that return the kernel's own result: a value, or {@code -errno} (-4095 to -1)
 * on failure, as the {@code syscall} instruction leaves it in rax.
 *
 * <p>Why not glibc's {@code syscall(2)}: it turns a failure into -1 and errno, and a Java caller can
 * read errno only through {@code Linker.Option.captureCallState}, with a capture buffer per
 * thread; that option and the variadic declaration {@code syscall} needs cost a JVM ~16 ms of
 * interpreted linking at start-up (bench/startup/NATIVE-LINKING.md), on every sandbox's critical
 * path twice (Sentry and Gofer). Instead, this class maps one page holding the x86-64 Linux
 * system call convention written out as ten instructions, and calls it through a plain downcall
 * of shape {@code long f(long × 7)}.
 *
 * <p>libc functions that report failure in their return value (the posix_spawn family) and the
 * two calls that set up the page ({@code mmap}, {@code mprotect}) are called through the very same
 * handle, with their address as its first argument: one downcall shape, linked once per JVM, and
 * no bound method handle per function. The call is exact for any function of at most six integer
 * or pointer arguments under the System V convention: the seventh value lands on the stack, where
 * such a callee never looks.
 */
public final class RawSyscall {
    private RawSyscall() {}

    /** The largest errno the kernel returns as -errno; values in [-4095, -1] are failures. */
    public static final int MAX_ERRNO = 4095;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();

    /** {@code long f(long, long, long, long, long, long, long)}, called at the address in its first argument. */
    private static final MethodHandle CALL = LINKER.downcallHandle(FunctionDescriptor.of(
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG));

    /**
     * The system call entry: moves the C arguments (rdi rsi rdx rcx r8 r9, seventh on the stack)
     * into the kernel's (rax = number, then rdi rsi rdx r10 r8 r9), enters the kernel and returns
     * rax untouched.
     */
    private static final byte[] ENTRY = {
            0x48, (byte) 0x89, (byte) 0xf8,             // mov rax, rdi
            0x48, (byte) 0x89, (byte) 0xf7,             // mov rdi, rsi
            0x48, (byte) 0x89, (byte) 0xd6,             // mov rsi, rdx
            0x48, (byte) 0x89, (byte) 0xca,             // mov rdx, rcx
            0x4d, (byte) 0x89, (byte) 0xc2,             // mov r10, r8
            0x4d, (byte) 0x89, (byte) 0xc8,             // mov r8, r9
            0x4c, (byte) 0x8b, 0x4c, 0x24, 0x08,        // mov r9, [rsp + 8]
            0x0f, 0x05,                                 // syscall
            (byte) 0xc3,                                // ret
    };

    private static final MemorySegment SYSCALL_ENTRY = mapEntry();

    /**
     * Makes system call {@code nr} (<asm/unistd_64.h>) with six arguments (pass 0 for unused
     * ones); returns its result, or {@code -errno} on failure. Never retries: EINTR is the
     * caller's to handle.
     */
    public static long call(long nr, long a0, long a1, long a2, long a3, long a4, long a5) {
        return invoke(SYSCALL_ENTRY, nr, a0, a1, a2, a3, a4, a5);
    }

    /** Whether {@code result} of {@link #call} is a failure. */
    public static boolean failed(long result) {
        return result < 0 && result >= -MAX_ERRNO;
    }

    /** The errno of a failed {@link #call} result. */
    public static int errno(long result) {
        return (int) -result;
    }

    /**
     * The libc function {@code name}, to pass to {@link #callFunction}.
     *
     * @throws UnsatisfiedLinkError when libc has no such function
     */
    public static MemorySegment libcFunction(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError(
                "jVisor needs glibc's " + name + " (glibc 2.34 or newer on x86-64 Linux)"));
    }

    /**
     * Calls a libc function of at most six integer or pointer arguments (0 for unused ones) and
     * returns its result as a long (a caller narrows an int result). errno is not available.
     */
    public static long callFunction(MemorySegment function, long a0, long a1, long a2, long a3, long a4, long a5) {
        return invoke(function, a0, a1, a2, a3, a4, a5, 0L);
    }

    private static long invoke(MemorySegment function, long a0, long a1, long a2, long a3, long a4, long a5, long a6) {
        try {
            return (long) CALL.invokeExact(function, a0, a1, a2, a3, a4, a5, a6);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("native call failed", t);
        }
    }

    // <sys/mman.h>
    private static final long PROT_READ = 0x1, PROT_WRITE = 0x2, PROT_EXEC = 0x4;
    private static final long MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20;
    private static final long PAGE = 4096;

    /** Maps a page, writes {@link #ENTRY} into it and makes it read-only and executable. */
    private static MemorySegment mapEntry() {
        long page = invoke(libcFunction("mmap"), 0L, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1L, 0L, 0L);
        if (page == -1L) {
            throw new LinkageError("jVisor cannot map a page for its system call entry (mmap failed)");
        }
        MemorySegment entry = MemorySegment.ofAddress(page).reinterpret(PAGE);
        MemorySegment.copy(ENTRY, 0, entry, JAVA_BYTE, 0, ENTRY.length);
        if (invoke(libcFunction("mprotect"), page, PAGE, PROT_READ | PROT_EXEC, 0L, 0L, 0L, 0L) != 0L) {
            throw new LinkageError("jVisor cannot make its system call entry executable (mprotect failed;"
                    + " is this process denied executable memory?)");
        }
        return entry;
    }
}
