package dev.jvisor.sentry.host;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Host terminals: opening a pty pair, the termios and window size of a host tty, and handing a
 * descriptor to another process over a unix socket (SCM_RIGHTS), as a console socket expects.
 * Structures cross as plain byte arrays in the kernel's layout; callers decode them.
 */
public final class HostTty {
    private HostTty() {}

    private static final int SYS_OPENAT = 257, SYS_SOCKET = 41, SYS_CONNECT = 42, SYS_SENDMSG = 46;
    // include/uapi/asm-generic/fcntl.h, linux/fcntl.h
    private static final int O_RDWR = 2, O_NOCTTY = 0x100, O_CLOEXEC = 0x80000, AT_FDCWD = -100;
    // include/linux/socket.h, include/uapi/asm-generic/socket.h
    private static final int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = 0x80000, SOL_SOCKET = 1, SCM_RIGHTS = 1,
            MSG_NOSIGNAL = 0x4000;
    /** sizeof(struct sockaddr_un): sa_family_t and a 108-byte path. */
    private static final int SOCKADDR_UN_SIZE = 110;
    // include/uapi/asm-generic/ioctls.h
    private static final long TCGETS = 0x5401, TCSETS = 0x5402, TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414,
            TIOCGPTN = 0x80045430L, TIOCSPTLCK = 0x40045431L;
    private static final int TERMIOS_SIZE = 36, WINSIZE_SIZE = 8;

    /** A host pty pair: the master fd and the slave's path. */
    public record Pty(int master, String slavePath) {}

    /**
     * posix_openpt + grantpt + unlockpt by hand: opens /dev/ptmx (no controlling terminal,
     * close-on-exec), unlocks the slave and names it. The slave's owner and mode are devpts'
     * defaults, which is what grantpt leaves on a devpts system.
     */
    public static Pty openPty() {
        int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocate(JAVA_INT);
            n.set(JAVA_INT, 0, 0);
            Host.ioctl(master, TIOCSPTLCK, n);
            Host.ioctl(master, TIOCGPTN, n);
            return new Pty(master, "/dev/pts/" + Integer.toUnsignedString(n.get(JAVA_INT, 0)));
        } catch (HostException e) {
            Host.close(master);
            throw e;
        }
    }

    /** open(2) of a terminal device: read-write, never becoming the caller's controlling terminal. */
    public static int openTerminal(String path) {
        return open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    }

    private static int open(String path, int flags) {
        try (Arena a = Arena.ofConfined()) {
            return (int) Host.syscall("open(" + path + ")", SYS_OPENAT, AT_FDCWD, a.allocateFrom(path).address(), flags, 0, 0, 0);
        }
    }

    /** TCGETS: the 36-byte struct termios of a host tty. */
    public static byte[] getTermios(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocate(64);
            Host.ioctl(fd, TCGETS, t);
            return t.asSlice(0, TERMIOS_SIZE).toArray(JAVA_BYTE);
        }
    }

    /** TCSETS: applies a 36-byte struct termios now. */
    public static void setTermios(int fd, byte[] termios) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocate(64);
            MemorySegment.copy(termios, 0, t, JAVA_BYTE, 0, TERMIOS_SIZE);
            Host.ioctl(fd, TCSETS, t);
        }
    }

    /** Whether {@code fd} is a host terminal (TCGETS succeeds). */
    public static boolean isTerminal(int fd) {
        try {
            getTermios(fd);
            return true;
        } catch (HostException e) {
            return false;
        }
    }

    /** TIOCGWINSZ: the 8-byte struct winsize. */
    public static byte[] getWindowSize(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment w = a.allocate(WINSIZE_SIZE);
            Host.ioctl(fd, TIOCGWINSZ, w);
            return w.toArray(JAVA_BYTE);
        }
    }

    /** TIOCSWINSZ with rows and columns (no pixel sizes). */
    public static void setWindowSize(int fd, int rows, int cols) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment w = a.allocate(WINSIZE_SIZE);
            w.set(JAVA_SHORT, 0, (short) rows);
            w.set(JAVA_SHORT, 2, (short) cols);
            Host.ioctl(fd, TIOCSWINSZ, w);
        }
    }

    /** read(2) into a Java array; 0 at end of file. */
    public static int read(int fd, byte[] buf) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment seg = a.allocate(buf.length);
            int n = (int) Host.read(fd, seg, buf.length);
            MemorySegment.copy(seg, JAVA_BYTE, 0, buf, 0, n);
            return n;
        }
    }

    /**
     * Connects to the unix socket at {@code socketPath} and sends {@code fd} in one message: one
     * SCM_RIGHTS control message carrying exactly that descriptor, and {@code name} as the data
     * (a console socket's reader takes it for the file's name).
     */
    public static void sendFd(String socketPath, int fd, String name) {
        byte[] path = socketPath.getBytes(StandardCharsets.UTF_8);
        if (path.length >= SOCKADDR_UN_SIZE - 2 || socketPath.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("unix socket path longer than 107 bytes or with a NUL: " + socketPath);
        }
        int sock = (int) Host.syscall("socket(AF_UNIX)", SYS_SOCKET, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, 0, 0, 0);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment addr = a.allocate(SOCKADDR_UN_SIZE);
            addr.set(JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(path, 0, addr, JAVA_BYTE, 2, path.length);
            Host.syscall("connect(" + socketPath + ")", SYS_CONNECT, sock, addr.address(), SOCKADDR_UN_SIZE, 0, 0, 0);

            byte[] data = name.getBytes(StandardCharsets.UTF_8);
            MemorySegment payload = a.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, payload, JAVA_BYTE, 0, data.length);
            MemorySegment iov = a.allocate(16, 8);
            iov.set(JAVA_LONG, 0, payload.address());
            iov.set(JAVA_LONG, 8, data.length);
            // struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; int fd; } padded:
            // CMSG_LEN(sizeof(int)) = 20, CMSG_SPACE(sizeof(int)) = 24.
            MemorySegment control = a.allocate(24, 8);
            control.set(JAVA_LONG, 0, 20);
            control.set(JAVA_INT, 8, SOL_SOCKET);
            control.set(JAVA_INT, 12, SCM_RIGHTS);
            control.set(JAVA_INT, 16, fd);
            // struct msghdr: name, namelen, iov, iovlen, control, controllen, flags.
            MemorySegment msg = a.allocate(56, 8);
            msg.set(JAVA_LONG, 16, iov.address());
            msg.set(JAVA_LONG, 24, 1);
            msg.set(JAVA_LONG, 32, control.address());
            msg.set(JAVA_LONG, 40, 24);
            Host.syscall("sendmsg(SCM_RIGHTS)", SYS_SENDMSG, sock, msg.address(), MSG_NOSIGNAL, 0, 0, 0);
        } finally {
            Host.close(sock);
        }
    }
}
