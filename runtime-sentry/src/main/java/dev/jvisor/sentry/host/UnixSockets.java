package dev.jvisor.sentry.host;

import static dev.jvisor.abi.linux.UnixSocketAbi.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Host AF_UNIX stream sockets with what the JDK's channels do not offer: the peer's
 * credentials (SO_PEERCRED) and passing open fds (SCM_RIGHTS). The runtime's control channel
 * between runsc and a running sandbox uses them. Every fd made here is close-on-exec.
 */
public final class UnixSockets {
    private UnixSockets() {}

    // asm/unistd_64.h
    private static final int SYS_SOCKET = 41, SYS_CONNECT = 42, SYS_SENDMSG = 46, SYS_RECVMSG = 47,
            SYS_SHUTDOWN = 48, SYS_BIND = 49, SYS_LISTEN = 50, SYS_SETSOCKOPT = 54, SYS_GETSOCKOPT = 55,
            SYS_ACCEPT4 = 288, SYS_SOCKETPAIR = 53;
    private static final int SOCK_DGRAM = 2;
    /** More fds than this in one message is not our protocol; the rest are closed. */
    public static final int MAX_FDS = 8;
    private static final int EINTR = 4;

    /** The credentials of a connected peer, as the host kernel recorded them at connect. */
    public record PeerCredentials(int pid, int uid, int gid) {}

    /** Bytes received and the fds that came with them (the caller owns and must close those). */
    public record Received(int bytes, int[] fds, boolean controlTruncated) {}

    /** A listening socket bound at {@code path} (which must not exist). */
    public static int listen(String path) {
        int fd = (int) Host.syscall("socket", SYS_SOCKET, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, 0, 0, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = sockaddr(arena, path);
            Host.syscall("bind(" + path + ")", SYS_BIND, fd, addr.address(), SOCKADDR_UN_SIZE, 0, 0, 0);
            Host.syscall("listen", SYS_LISTEN, fd, SOMAXCONN, 0, 0, 0, 0);
            return fd;
        } catch (RuntimeException e) {
            closeQuietly(fd);
            throw e;
        }
    }

    /** A connected pair of AF_UNIX datagram sockets (close-on-exec): message boundaries kept, fds passed with them. */
    public static int[] datagramPair() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            Host.syscall("socketpair", SYS_SOCKETPAIR, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, fds.address(), 0, 0);
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        }
    }

    /** Accepts one connection (blocking); EINTR is retried. */
    public static int accept(int listenFd) {
        while (true) {
            try {
                return (int) Host.syscall("accept4", SYS_ACCEPT4, listenFd, 0, 0, SOCK_CLOEXEC, 0, 0);
            } catch (HostException e) {
                if (e.errno() != EINTR) throw e;
            }
        }
    }

    /** Connects to the socket at {@code path}. */
    public static int connect(String path) {
        int fd = (int) Host.syscall("socket", SYS_SOCKET, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, 0, 0, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = sockaddr(arena, path);
            Host.syscall("connect(" + path + ")", SYS_CONNECT, fd, addr.address(), SOCKADDR_UN_SIZE, 0, 0, 0);
            return fd;
        } catch (RuntimeException e) {
            closeQuietly(fd);
            throw e;
        }
    }

    public static PeerCredentials peerCredentials(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cred = arena.allocate(UCRED_SIZE, 4);
            MemorySegment len = arena.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, UCRED_SIZE);
            Host.syscall("getsockopt(SO_PEERCRED)", SYS_GETSOCKOPT, fd, SOL_SOCKET, SO_PEERCRED, cred.address(), len.address(), 0);
            return new PeerCredentials(cred.get(JAVA_INT, 0), cred.get(JAVA_INT, 4), cred.get(JAVA_INT, 8));
        }
    }

    /** A receive timeout: a blocked receive fails with EAGAIN after {@code millis} (0: none). */
    public static void receiveTimeout(int fd, long millis) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment tv = arena.allocate(TIMEVAL_SIZE, 8);
            tv.set(JAVA_LONG, 0, millis / 1000);
            tv.set(JAVA_LONG, 8, (millis % 1000) * 1000);
            Host.syscall("setsockopt(SO_RCVTIMEO)", SYS_SETSOCKOPT, fd, SOL_SOCKET, SO_RCVTIMEO_OLD, tv.address(), TIMEVAL_SIZE, 0);
        }
    }

    /** Sends all of {@code data}; {@code fds} (may be empty) ride with its first byte. */
    public static void send(int fd, byte[] data, int[] fds) {
        if (fds.length > MAX_FDS) throw new IllegalArgumentException("at most " + MAX_FDS + " fds per message");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buf, JAVA_BYTE, 0, data.length);
            MemorySegment iov = arena.allocate(IOVEC_SIZE, 8);
            MemorySegment msg = arena.allocate(MSGHDR_SIZE, 8);
            MemorySegment control = MemorySegment.NULL;
            int controlLen = 0;
            if (fds.length > 0) {
                controlLen = cmsgSpace(4 * fds.length);
                control = arena.allocate(controlLen, 8);
                control.set(JAVA_LONG, CMSG_LEN, CMSGHDR_SIZE + 4L * fds.length);
                control.set(JAVA_INT, CMSG_LEVEL, SOL_SOCKET);
                control.set(JAVA_INT, CMSG_TYPE, SCM_RIGHTS);
                for (int i = 0; i < fds.length; i++) control.set(JAVA_INT, CMSGHDR_SIZE + 4L * i, fds[i]);
            }
            long done = 0;
            while (done < data.length || (data.length == 0 && controlLen > 0)) {
                iov.set(JAVA_LONG, 0, buf.address() + done);
                iov.set(JAVA_LONG, 8, data.length - done);
                msg.fill((byte) 0);
                msg.set(JAVA_LONG, MSG_IOV, iov.address());
                msg.set(JAVA_LONG, MSG_IOVLEN, 1);
                msg.set(JAVA_LONG, MSG_CONTROL, control.address());
                msg.set(JAVA_LONG, MSG_CONTROLLEN, controlLen);
                long n;
                try {
                    n = Host.syscall("sendmsg", SYS_SENDMSG, fd, msg.address(), MSG_NOSIGNAL, 0, 0, 0);
                } catch (HostException e) {
                    if (e.errno() == EINTR) continue;
                    throw e;
                }
                done += n;
                controlLen = 0; // the fds went with the first part
                control = MemorySegment.NULL;
                if (data.length == 0) break;
            }
        }
    }

    /**
     * Receives up to {@code len} bytes into {@code dst[off..]} and any fds that came with them.
     * Returns 0 bytes at end of stream. Fds beyond {@link #MAX_FDS} are lost by the host kernel
     * (the message says so: {@link Received#controlTruncated()}).
     */
    public static Received receive(int fd, byte[] dst, int off, int len) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.max(1, len));
            MemorySegment iov = arena.allocate(IOVEC_SIZE, 8);
            iov.set(JAVA_LONG, 0, buf.address());
            iov.set(JAVA_LONG, 8, len);
            int controlLen = cmsgSpace(4 * MAX_FDS);
            MemorySegment control = arena.allocate(controlLen, 8);
            MemorySegment msg = arena.allocate(MSGHDR_SIZE, 8);
            long n;
            while (true) {
                msg.fill((byte) 0);
                msg.set(JAVA_LONG, MSG_IOV, iov.address());
                msg.set(JAVA_LONG, MSG_IOVLEN, 1);
                msg.set(JAVA_LONG, MSG_CONTROL, control.address());
                msg.set(JAVA_LONG, MSG_CONTROLLEN, controlLen);
                try {
                    n = Host.syscall("recvmsg", SYS_RECVMSG, fd, msg.address(), MSG_CMSG_CLOEXEC, 0, 0, 0);
                    break;
                } catch (HostException e) {
                    if (e.errno() != EINTR) throw e;
                }
            }
            MemorySegment.copy(buf, JAVA_BYTE, 0, dst, off, (int) n);
            List<Integer> fds = new ArrayList<>();
            long used = msg.get(JAVA_LONG, MSG_CONTROLLEN);
            long at = 0;
            while (at + CMSGHDR_SIZE <= used) {
                long cmsgLen = control.get(JAVA_LONG, at + CMSG_LEN);
                if (cmsgLen < CMSGHDR_SIZE || at + cmsgLen > used) break;
                if (control.get(JAVA_INT, at + CMSG_LEVEL) == SOL_SOCKET && control.get(JAVA_INT, at + CMSG_TYPE) == SCM_RIGHTS) {
                    for (long p = at + CMSGHDR_SIZE; p + 4 <= at + cmsgLen; p += 4) fds.add(control.get(JAVA_INT, p));
                }
                at += (cmsgLen + 7) & ~7L;
            }
            boolean truncated = (msg.get(JAVA_INT, MSG_FLAGS) & MSG_CTRUNC) != 0;
            return new Received((int) n, fds.stream().mapToInt(Integer::intValue).toArray(), truncated);
        }
    }

    /** Ends both directions now: a thread blocked receiving on {@code fd} wakes up with end of stream. */
    public static void shutdown(int fd) {
        try {
            Host.syscall("shutdown", SYS_SHUTDOWN, fd, SHUT_RDWR, 0, 0, 0, 0);
        } catch (HostException ignored) {
            // not connected any more: nothing to wake
        }
    }

    public static void closeQuietly(int fd) {
        if (fd < 0) return;
        try {
            Host.close(fd);
        } catch (HostException ignored) {
            // already closed
        }
    }

    private static MemorySegment sockaddr(Arena arena, String path) {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        if (p.length >= SUN_PATH_MAX) throw new HostException("sockaddr_un(" + path + ")", 36 /* ENAMETOOLONG */);
        MemorySegment addr = arena.allocate(SOCKADDR_UN_SIZE, 8);
        addr.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
        MemorySegment.copy(p, 0, addr, JAVA_BYTE, SUN_PATH_OFFSET, p.length);
        return addr;
    }
}
