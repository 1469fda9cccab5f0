package dev.jvisor.p9;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;
import dev.jvisor.hostcall.RawSyscall;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The system calls the 9P transport makes on a socket file descriptor. Each wrapper retries on
 * EINTR and turns a -1 return into an {@link ErrnoException} naming the call; nothing outside
 * this class sees a raw errno.
 *
 * <p>All go through {@link RawSyscall}, as the Gofer's and the Sentry's other native layers do:
 * every distinct downcall shape costs a JVM a generated class the first time it is linked (5-40 ms
 * at start-up; the AOT cache cannot hold them), and they all share one.
 */
final class Native {
    // <asm/unistd_64.h>
    private static final long SYS_READ = 0;
    private static final long SYS_CLOSE = 3;
    private static final long SYS_PREAD64 = 17;
    private static final long SYS_SENDTO = 44;
    private static final long SYS_SENDMSG = 46;
    private static final long SYS_RECVMSG = 47;
    private static final long SYS_SHUTDOWN = 48;
    private static final long SYS_SOCKETPAIR = 53;

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

    /** Descriptors a {@link #SEND_HEADER_SIZE} header has room for (a frame carries one). */
    static final int MAX_SEND_FDS = 4;
    /** Bytes {@link #sendWithFds} needs for its msghdr, iovec and control message. */
    static final long SEND_HEADER_SIZE = sendHeaderSize(MAX_SEND_FDS);

    private static long sendHeaderSize(int fds) {
        return MSGHDR_SIZE + IOVEC_SIZE + cmsgSpace(4L * fds);
    }

    /**
     * {@code sendmsg(2)} of {@code count} bytes with the descriptors {@code fds} as one
     * SCM_RIGHTS message, {@code MSG_NOSIGNAL}: bytes written. The descriptors travel with the
     * first byte sent, so a caller sends the rest of a partial write with {@link #send}.
     * {@code header} ({@link #SEND_HEADER_SIZE} bytes, 8-aligned) holds the call's structures, so
     * that a writer allocates nothing per call; more than {@link #MAX_SEND_FDS} descriptors get
     * a header of their own.
     */
    static long sendWithFds(int fd, MemorySegment buf, long count, int[] fds, MemorySegment header) throws ErrnoException {
        if (fds.length > MAX_SEND_FDS) {
            try (Arena arena = Arena.ofConfined()) {
                return sendWithFdsIn(fd, buf, count, fds, arena.allocate(sendHeaderSize(fds.length), 8));
            }
        }
        return sendWithFdsIn(fd, buf, count, fds, header);
    }

    private static long sendWithFdsIn(int fd, MemorySegment buf, long count, int[] fds, MemorySegment header)
            throws ErrnoException {
        long iov = MSGHDR_SIZE;
        long control = iov + IOVEC_SIZE;
        long controlLen = cmsgSpace(4L * fds.length);
        header.fill((byte) 0);
        header.set(ADDRESS, iov, buf);
        header.set(JAVA_LONG, iov + 8, count);
        header.set(JAVA_LONG, control, CMSGHDR_SIZE + 4L * fds.length);
        header.set(JAVA_INT, control + 8, SOL_SOCKET);
        header.set(JAVA_INT, control + 12, SCM_RIGHTS);
        for (int i = 0; i < fds.length; i++) {
            header.set(JAVA_INT, control + CMSGHDR_SIZE + 4L * i, fds[i]);
        }
        long base = header.address();
        header.set(JAVA_LONG, MSG_IOV, base + iov);
        header.set(JAVA_LONG, MSG_IOVLEN, 1);
        header.set(JAVA_LONG, MSG_CONTROL, base + control);
        header.set(JAVA_LONG, MSG_CONTROLLEN, controlLen);
        while (true) {
            long n = syscall(SYS_SENDMSG, fd, base, MSG_NOSIGNAL, 0);
            if (n >= 0) {
                return n;
            }
            retryOrThrow(n, "sendmsg");
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
        // The msghdr and its iovec are written and read back with one bulk copy each way: this
        // runs for every frame, first in the interpreter, where each native field access is
        // dozens of calls.
        long base = header.address();
        long[] h = new long[RECV_HEADER_LONGS];
        h[(int) (MSG_IOV / 8)] = base + MSGHDR_SIZE;
        h[(int) (MSG_IOVLEN / 8)] = 1;
        h[(int) (MSG_CONTROL / 8)] = control.address();
        h[(int) (MSGHDR_SIZE / 8)] = buf.address();
        h[(int) (MSGHDR_SIZE / 8) + 1] = count;
        while (true) {
            h[(int) (MSG_CONTROLLEN / 8)] = control.byteSize();
            h[(int) (MSG_FLAGS / 8)] = 0;
            MemorySegment.copy(h, 0, header, JAVA_LONG, 0, RECV_HEADER_LONGS);
            long n = syscall(SYS_RECVMSG, fd, base, MSG_CMSG_CLOEXEC, 0);
            if (n >= 0) {
                MemorySegment.copy(header, JAVA_LONG, 0, h, 0, (int) (MSGHDR_SIZE / 8));
                int flags = (int) h[(int) (MSG_FLAGS / 8)];
                long controlLen = h[(int) (MSG_CONTROLLEN / 8)];
                int[] fds = controlLen == 0 ? NO_FDS : rights(control, controlLen);
                return new Received(n, fds, (flags & MSG_CTRUNC) != 0);
            }
            retryOrThrow(n, "recvmsg");
        }
    }

    private static final int RECV_HEADER_LONGS = (int) ((MSGHDR_SIZE + IOVEC_SIZE) / 8);

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
        return retrying("pread", SYS_PREAD64, fd, buf.address(), count, offset);
    }

    static void shutdown(int fd, int how) throws ErrnoException {
        long r = syscall(SYS_SHUTDOWN, fd, how, 0, 0);
        if (r < 0) {
            throw new ErrnoException(errnoOf(r), "shutdown");
        }
    }

    /** {@code close(2)}; never retried (the descriptor is gone even when it reports EINTR). */
    static void close(int fd) throws ErrnoException {
        long r = syscall(SYS_CLOSE, fd, 0, 0, 0);
        if (r < 0) {
            Errno e = errnoOf(r);
            if (e != Errno.EINTR) {
                throw new ErrnoException(e, "close");
            }
        }
    }

    /** {@code socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0)}: the two connected descriptors. */
    static int[] socketPair() throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            long r = syscall(SYS_SOCKETPAIR, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds.address());
            if (r < 0) {
                throw new ErrnoException(errnoOf(r), "socketpair");
            }
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        }
    }

    /** A call whose EINTR is retried; its non-negative result. */
    private static long retrying(String call, long nr, long a0, long a1, long a2, long a3) throws ErrnoException {
        while (true) {
            long n = syscall(nr, a0, a1, a2, a3);
            if (n >= 0) {
                return n;
            }
            Errno e = errnoOf(n);
            if (e != Errno.EINTR) {
                throw new ErrnoException(e, call);
            }
        }
    }

    /** Returns the call's result or -errno. */
    private static long syscall(long nr, long a0, long a1, long a2, long a3) {
        return RawSyscall.call(nr, a0, a1, a2, a3, 0L, 0L);
    }

    private static void retryOrThrow(long result, String call) throws ErrnoException {
        Errno e = errnoOf(result);
        if (e != Errno.EINTR) {
            throw new ErrnoException(e, call);
        }
    }

    private static Errno errnoOf(long result) {
        return Errno.ofOr(RawSyscall.errno(result), Errno.EIO);
    }
}
