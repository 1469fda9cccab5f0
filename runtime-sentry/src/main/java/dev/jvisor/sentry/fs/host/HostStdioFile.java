package dev.jvisor.sentry.fs.host;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.host.Host;
import dev.jvisor.sentry.host.HostException;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.FileSystem;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.OpenFile;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One of the sandbox's standard streams: reads and writes go to a host fd the runtime was
 * given (its own stdio, or a terminal). Terminal ioctls that only describe or set the terminal
 * mode pass through; the foreground process group is the sandbox's own.
 */
public final class HostStdioFile extends OpenFile {
    // ioctl requests, include/uapi/asm-generic/ioctls.h
    private static final long TCGETS = 0x5401, TCSETS = 0x5402, TCSETSW = 0x5403, TCSETSF = 0x5404,
            TIOCGPGRP = 0x540F, TIOCSPGRP = 0x5410, TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414, FIONREAD = 0x541B,
            TIOCSCTTY = 0x540E, TIOCNOTTY = 0x5422;
    private static final int TERMIOS_SIZE = 36, WINSIZE_SIZE = 8;
    private static final FileSystem HOSTFS = new FileSystem("devpts", 0x1cd1, false);

    private final int hostFd;
    private final boolean tty;
    private static volatile int foregroundPgrp = 1;

    /** Closes the host fd with the last reference: set for fds handed over for one process (runsc exec). */
    private final boolean ownsHostFd;

    public HostStdioFile(int hostFd, int flags, String name) {
        this(hostFd, flags, name, false);
    }

    /**
     * A stream over a host fd that belongs to this file from now on: the fd is closed when the
     * last descriptor referring to it is (an exec'd process's stdio, received from runsc exec).
     */
    public static HostStdioFile owning(int hostFd, int flags, String name) {
        return new HostStdioFile(hostFd, flags, name, true);
    }

    private HostStdioFile(int hostFd, int flags, String name, boolean ownsHostFd) {
        this(hostFd, flags, name, ownsHostFd, new StdioInode(isTty(hostFd)));
    }

    private HostStdioFile(int hostFd, int flags, String name, boolean ownsHostFd, StdioInode inode) {
        super(new Location(null, inode), name, flags);
        inode.file = this;
        this.hostFd = hostFd;
        this.tty = isTty(hostFd);
        this.ownsHostFd = ownsHostFd;
    }

    /**
     * The inode of a host stream. Opened again through /proc/PID/fd/N (so /dev/stdin, /dev/stdout),
     * it is the same open stream — the host fd cannot be reopened from inside — in the direction
     * it already has; another direction is ENXIO.
     */
    private static final class StdioInode extends dev.jvisor.sentry.vfs.AnonymousInode {
        private HostStdioFile file;

        StdioInode(boolean tty) {
            super(HOSTFS, (tty ? FileMode.S_IFCHR : FileMode.S_IFIFO) | 0620, 0, 5, 136L << 8);
        }

        @Override
        public OpenFile open(Location loc, String path, int flags) {
            int access = flags & FileMode.O_ACCMODE;
            if ((access != FileMode.O_WRONLY && !file.readable()) || (access != FileMode.O_RDONLY && !file.writable())) {
                throw Errno.ENXIO.exception();
            }
            return file.retain();
        }
    }

    @Override
    protected void onLastClose() {
        if (!ownsHostFd) return;
        try {
            Host.close(hostFd);
        } catch (HostException ignored) {
            // already gone; nothing else refers to it
        }
    }

    public static boolean isTty(int fd) {
        try (Arena a = Arena.ofConfined()) {
            Host.ioctl(fd, TCGETS, a.allocate(64));
            return true;
        } catch (HostException e) {
            return false;
        }
    }

    @Override
    public int read(Task t, byte[] buf, int off, int len) {
        if (len == 0) return 0;
        while (true) {
            int ready = Host.poll(hostFd, 1 /* POLLIN */, nonBlocking() ? 0 : 50);
            if (ready != 0) break;
            if (nonBlocking()) throw Errno.EAGAIN.exception();
            if (t.interruptPending()) throw Errno.ERESTARTSYS.exception();
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment seg = a.allocate(len);
            long n = Host.read(hostFd, seg, len);
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, 0, buf, off, (int) n);
            return (int) n;
        } catch (HostException e) {
            throw toErrno(e);
        }
    }

    @Override
    public int write(Task t, byte[] buf, int off, int len) {
        try {
            Host.writeFully(hostFd, buf, off, len);
            return len;
        } catch (HostException e) {
            if (e.errno() == 32 && t != null) {
                t.kernel().signalTask(t, dev.jvisor.sentry.kernel.SigInfo.user(13, t.tgid(), 0));
            }
            throw toErrno(e);
        }
    }

    private static RuntimeException toErrno(HostException e) {
        Errno en = e.asErrno();
        return (en == null ? Errno.EIO : en).exception();
    }

    @Override
    public int poll(int mask) {
        int r = Host.poll(hostFd, mask & 0xffff, 0);
        return r & (mask | POLLHUP | POLLERR);
    }

    @Override
    public long ioctl(Task t, long request, long arg) {
        if (request == TIOCGPGRP) {
            if (!tty) throw Errno.ENOTTY.exception();
            t.mm().writeInt(arg, foregroundPgrp);
            return 0;
        }
        if (request == TIOCSPGRP) {
            if (!tty) throw Errno.ENOTTY.exception();
            foregroundPgrp = t.mm().readInt(arg);
            return 0;
        }
        if (request == TIOCSCTTY || request == TIOCNOTTY) {
            if (!tty) throw Errno.ENOTTY.exception();
            return 0;
        }
        int size;
        boolean in;
        if (request == TCGETS) { size = TERMIOS_SIZE; in = false; }
        else if (request == TCSETS || request == TCSETSW || request == TCSETSF) { size = TERMIOS_SIZE; in = true; }
        else if (request == TIOCGWINSZ) { size = WINSIZE_SIZE; in = false; }
        else if (request == TIOCSWINSZ) { size = WINSIZE_SIZE; in = true; }
        else if (request == FIONREAD) { size = 4; in = false; }
        else throw Errno.ENOTTY.exception();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment seg = a.allocate(64);
            if (in) {
                byte[] b = t.mm().read(arg, size);
                MemorySegment.copy(b, 0, seg, ValueLayout.JAVA_BYTE, 0, size);
            }
            long r = Host.ioctl(hostFd, request, seg);
            if (!in) {
                byte[] b = new byte[size];
                MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, 0, b, 0, size);
                t.mm().write(arg, b, 0, size);
            }
            return r;
        } catch (HostException e) {
            throw toErrno(e);
        }
    }
}
