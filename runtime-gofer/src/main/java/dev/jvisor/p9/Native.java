package dev.jvisor.p9;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The system calls the 9P transport makes on a socket file descriptor. Each wrapper retries on
 * EINTR and turns a -1 return into an {@link ErrnoException} naming the call; nothing outside
 * this class sees a raw errno.
 *
 * <p>All go through one handle of glibc's {@code syscall(2)}, in the shape the Gofer's and the
 * Sentry's other native layers use: every distinct downcall shape costs a JVM a generated class
 * the first time it is linked (5-40 ms at start-up; the AOT cache cannot hold them), and handles
 * of one shape share it.
 */
final class Native {
    // <asm/unistd_64.h>
    private static final long SYS_READ = 0;
    private static final long SYS_CLOSE = 3;
    private static final long SYS_SENDTO = 44;
    private static final long SYS_SHUTDOWN = 48;
    private static final long SYS_SOCKETPAIR = 53;

    // <sys/socket.h>
    static final int AF_UNIX = 1;
    static final int SOCK_STREAM = 1;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SHUT_RDWR = 2;
    static final int MSG_NOSIGNAL = 0x4000;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> CAPTURED =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    /** {@code long syscall(long number, ...)}, called with six variadic long arguments. */
    private static final MethodHandle SYSCALL = LINKER.downcallHandle(
            LINKER.defaultLookup().find("syscall").orElseThrow(() -> new LinkageError("libc has no syscall")),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));

    private Native() {}

    /** {@code read(2)}: bytes read, 0 at end of stream. */
    static long read(int fd, MemorySegment buf, long count) throws ErrnoException {
        return retrying("read", SYS_READ, fd, buf.address(), count, 0);
    }

    /**
     * {@code send(2)} with {@code MSG_NOSIGNAL}: bytes written. A peer that went away yields
     * EPIPE instead of a process-wide SIGPIPE.
     */
    static long send(int fd, MemorySegment buf, long count) throws ErrnoException {
        return retrying("send", SYS_SENDTO, fd, buf.address(), count, MSG_NOSIGNAL);
    }

    static void shutdown(int fd, int how) throws ErrnoException {
        MemorySegment st = CAPTURED.get();
        if (syscall(st, SYS_SHUTDOWN, fd, how, 0, 0) < 0) {
            throw new ErrnoException(errnoOf(st), "shutdown");
        }
    }

    /** {@code close(2)}; never retried (the descriptor is gone even when it reports EINTR). */
    static void close(int fd) throws ErrnoException {
        MemorySegment st = CAPTURED.get();
        if (syscall(st, SYS_CLOSE, fd, 0, 0, 0) < 0) {
            Errno e = errnoOf(st);
            if (e != Errno.EINTR) {
                throw new ErrnoException(e, "close");
            }
        }
    }

    /** {@code socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0)}: the two connected descriptors. */
    static int[] socketPair() throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            MemorySegment st = CAPTURED.get();
            if (syscall(st, SYS_SOCKETPAIR, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds.address()) < 0) {
                throw new ErrnoException(errnoOf(st), "socketpair");
            }
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        }
    }

    /** A call whose EINTR is retried; its non-negative result. */
    private static long retrying(String call, long nr, long a0, long a1, long a2, long a3) throws ErrnoException {
        while (true) {
            MemorySegment st = CAPTURED.get();
            long n = syscall(st, nr, a0, a1, a2, a3);
            if (n >= 0) {
                return n;
            }
            Errno e = errnoOf(st);
            if (e != Errno.EINTR) {
                throw new ErrnoException(e, call);
            }
        }
    }

    private static long syscall(MemorySegment state, long nr, long a0, long a1, long a2, long a3) {
        try {
            return (long) SYSCALL.invokeExact(state, nr, a0, a1, a2, a3, 0L, 0L);
        } catch (Throwable t) {
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException("native call failed to dispatch", t);
        }
    }

    private static Errno errnoOf(MemorySegment st) {
        return Errno.ofOr((int) ERRNO.get(st, 0L), Errno.EIO);
    }
}
