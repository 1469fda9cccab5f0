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

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The C library calls the 9P transport makes on a socket file descriptor. Each wrapper retries
 * on EINTR and turns a -1 return into an {@link ErrnoException} naming the call; nothing outside
 * this class sees a raw errno.
 */
final class Native {
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

    private static final MethodHandle READ = libc("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle SEND =
            libc("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle CLOSE = libc("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SHUTDOWN = libc("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SOCKETPAIR =
            libc("socketpair", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));

    private Native() {}

    /** {@code read(2)}: bytes read, 0 at end of stream. */
    static long read(int fd, MemorySegment buf, long count) throws ErrnoException {
        while (true) {
            MemorySegment st = CAPTURED.get();
            long n;
            try {
                n = (long) READ.invokeExact(st, fd, buf, count);
            } catch (Throwable t) {
                throw dispatchFailure(t);
            }
            if (n >= 0) {
                return n;
            }
            retryOrThrow(st, "read");
        }
    }

    /**
     * {@code send(2)} with {@code MSG_NOSIGNAL}: bytes written. A peer that went away yields
     * EPIPE instead of a process-wide SIGPIPE.
     */
    static long send(int fd, MemorySegment buf, long count) throws ErrnoException {
        while (true) {
            MemorySegment st = CAPTURED.get();
            long n;
            try {
                n = (long) SEND.invokeExact(st, fd, buf, count, MSG_NOSIGNAL);
            } catch (Throwable t) {
                throw dispatchFailure(t);
            }
            if (n >= 0) {
                return n;
            }
            retryOrThrow(st, "send");
        }
    }

    static void shutdown(int fd, int how) throws ErrnoException {
        MemorySegment st = CAPTURED.get();
        if ((int) invoke(SHUTDOWN, st, fd, how) < 0) {
            throw failure(st, "shutdown");
        }
    }

    /** {@code close(2)}; never retried (the descriptor is gone even when it reports EINTR). */
    static void close(int fd) throws ErrnoException {
        MemorySegment st = CAPTURED.get();
        if ((int) invoke(CLOSE, st, fd) < 0) {
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
            if ((int) invoke(SOCKETPAIR, st, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0) {
                throw failure(st, "socketpair");
            }
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        }
    }

    private static MethodHandle libc(String name, FunctionDescriptor fd) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new LinkageError("libc has no " + name));
        return LINKER.downcallHandle(symbol, fd, Linker.Option.captureCallState("errno"));
    }

    private static Object invoke(MethodHandle h, MemorySegment state, Object... args) {
        Object[] all = new Object[args.length + 1];
        all[0] = state;
        System.arraycopy(args, 0, all, 1, args.length);
        try {
            return h.invokeWithArguments(all);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("native call failed to dispatch", t);
        }
    }

    private static RuntimeException dispatchFailure(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native call failed to dispatch", t);
    }

    private static void retryOrThrow(MemorySegment st, String call) throws ErrnoException {
        Errno e = errnoOf(st);
        if (e != Errno.EINTR) {
            throw new ErrnoException(e, call);
        }
    }

    private static ErrnoException failure(MemorySegment st, String call) {
        return new ErrnoException(errnoOf(st), call);
    }

    private static Errno errnoOf(MemorySegment st) {
        return Errno.ofOr((int) ERRNO.get(st, 0L), Errno.EIO);
    }

}
