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
    static final int MSG_CTRUNC = 0x8;
    static final int MSG_CMSG_CLOEXEC = 0x40000000;
    static final int SOL_SOCKET = 1;
    static final int SCM_RIGHTS = 1;

    // struct msghdr, struct iovec and struct cmsghdr on x86-64 (<bits/socket.h>, <bits/uio.h>)
    private static final long MSGHDR_SIZE = 56;
    private static final long MSG_IOV = 16, MSG_IOVLEN = 24, MSG_CONTROL = 32, MSG_CONTROLLEN = 40,
            MSG_FLAGS = 48;
    private static final long IOVEC_SIZE = 16;
    /** sizeof(struct cmsghdr): cmsg_len[8] cmsg_level[4] cmsg_type[4]; data follows, 8-aligned. */
    static final long CMSGHDR_SIZE = 16;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> CAPTURED =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    private static final MethodHandle READ = libc("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle SEND =
            libc("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SENDMSG =
            libc("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVMSG =
            libc("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle PREAD =
            libc("pread64", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
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

    /**
     * {@code sendmsg(2)} of {@code count} bytes with the descriptors {@code fds} as one
     * SCM_RIGHTS message, {@code MSG_NOSIGNAL}: bytes written. The descriptors travel with the
     * first byte sent, so a caller sends the rest of a partial write with {@link #send}.
     */
    static long sendWithFds(int fd, MemorySegment buf, long count, int... fds) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment iov = arena.allocate(IOVEC_SIZE, 8);
            iov.set(ADDRESS, 0, buf);
            iov.set(JAVA_LONG, 8, count);
            long controlLen = cmsgSpace(4L * fds.length);
            MemorySegment control = arena.allocate(controlLen, 8);
            control.set(JAVA_LONG, 0, CMSGHDR_SIZE + 4L * fds.length);
            control.set(JAVA_INT, 8, SOL_SOCKET);
            control.set(JAVA_INT, 12, SCM_RIGHTS);
            for (int i = 0; i < fds.length; i++) {
                control.set(JAVA_INT, CMSGHDR_SIZE + 4L * i, fds[i]);
            }
            MemorySegment msg = arena.allocate(MSGHDR_SIZE, 8);
            msg.set(ADDRESS, MSG_IOV, iov);
            msg.set(JAVA_LONG, MSG_IOVLEN, 1);
            msg.set(ADDRESS, MSG_CONTROL, control);
            msg.set(JAVA_LONG, MSG_CONTROLLEN, controlLen);
            while (true) {
                MemorySegment st = CAPTURED.get();
                long n;
                try {
                    n = (long) SENDMSG.invokeExact(st, fd, msg, MSG_NOSIGNAL);
                } catch (Throwable t) {
                    throw dispatchFailure(t);
                }
                if (n >= 0) {
                    return n;
                }
                retryOrThrow(st, "sendmsg");
            }
        }
    }

    /** What one {@link #recvWithFds} brought: the byte count and the descriptors, in order. */
    record Received(long bytes, int[] fds, boolean controlTruncated) {}

    /** Bytes {@link #recvWithFds} needs for its {@code struct msghdr} and {@code struct iovec}. */
    static final long RECV_HEADER_SIZE = MSGHDR_SIZE + IOVEC_SIZE;

    /**
     * {@code recvmsg(2)} into {@code buf}, with {@code control} as room for SCM_RIGHTS
     * descriptors, received close-on-exec; {@code header} ({@link #RECV_HEADER_SIZE} bytes,
     * 8-aligned) holds the call's structures, so that a reader allocates nothing per call.
     * Descriptors beyond the room are closed by the kernel and reported as
     * {@code controlTruncated}; every descriptor returned is the caller's to close.
     */
    static Received recvWithFds(int fd, MemorySegment buf, long count, MemorySegment control, MemorySegment header)
            throws ErrnoException {
        MemorySegment msg = header.asSlice(0, MSGHDR_SIZE);
        MemorySegment iov = header.asSlice(MSGHDR_SIZE, IOVEC_SIZE);
        iov.set(ADDRESS, 0, buf);
        iov.set(JAVA_LONG, 8, count);
        while (true) {
            msg.fill((byte) 0);
            msg.set(ADDRESS, MSG_IOV, iov);
            msg.set(JAVA_LONG, MSG_IOVLEN, 1);
            msg.set(ADDRESS, MSG_CONTROL, control);
            msg.set(JAVA_LONG, MSG_CONTROLLEN, control.byteSize());
            MemorySegment st = CAPTURED.get();
            long n;
            try {
                n = (long) RECVMSG.invokeExact(st, fd, msg, MSG_CMSG_CLOEXEC);
            } catch (Throwable t) {
                throw dispatchFailure(t);
            }
            if (n >= 0) {
                int flags = msg.get(JAVA_INT, MSG_FLAGS);
                long controlLen = msg.get(JAVA_LONG, MSG_CONTROLLEN);
                return new Received(n, rights(control, controlLen), (flags & MSG_CTRUNC) != 0);
            }
            retryOrThrow(st, "recvmsg");
        }
    }

    /** The SCM_RIGHTS descriptors in the first {@code length} bytes of a control buffer. */
    private static final int[] NO_FDS = new int[0];

    private static int[] rights(MemorySegment control, long length) {
        int[] fds = NO_FDS;
        long at = 0;
        while (at + CMSGHDR_SIZE <= length) {
            long len = control.get(JAVA_LONG, at);
            if (len < CMSGHDR_SIZE || at + len > length) {
                break;   // the kernel never writes this; stop rather than read past the buffer
            }
            if (control.get(JAVA_INT, at + 8) == SOL_SOCKET && control.get(JAVA_INT, at + 12) == SCM_RIGHTS) {
                int n = (int) ((len - CMSGHDR_SIZE) / 4);
                int old = fds.length;
                fds = java.util.Arrays.copyOf(fds, old + n);
                for (int i = 0; i < n; i++) {
                    fds[old + i] = control.get(JAVA_INT, at + CMSGHDR_SIZE + 4L * i);
                }
            }
            at += (len + 7) & ~7L;
        }
        return fds;
    }

    /** CMSG_SPACE: a control message's header plus {@code dataLen}, both 8-byte aligned. */
    static long cmsgSpace(long dataLen) {
        return CMSGHDR_SIZE + ((dataLen + 7) & ~7L);
    }

    /** {@code pread(2)}: bytes read at {@code offset}, 0 at end of file. */
    static long pread(int fd, MemorySegment buf, long count, long offset) throws ErrnoException {
        while (true) {
            MemorySegment st = CAPTURED.get();
            long n;
            try {
                n = (long) PREAD.invokeExact(st, fd, buf, count, offset);
            } catch (Throwable t) {
                throw dispatchFailure(t);
            }
            if (n >= 0) {
                return n;
            }
            retryOrThrow(st, "pread");
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
