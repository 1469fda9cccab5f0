package dev.jvisor.sentry.fs.tty;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.abi.linux.Termbits;
import dev.jvisor.sentry.host.Host;
import dev.jvisor.sentry.host.HostException;
import dev.jvisor.sentry.host.HostTty;
import dev.jvisor.sentry.kernel.Task;

/**
 * The console's far side: the host pty slave the runtime was given. It is put in raw mode and
 * used only as a byte pipe (the Sentry's {@link LineDiscipline} does all the processing, so the
 * host never echoes, maps or signals); a pump thread feeds what arrives into the terminal, and
 * notices window size changes and hangup. The host fd is non-blocking while linked, so no
 * Sentry thread ever sleeps inside a host call that only the far side can end. Closing restores
 * the host terminal's settings and flags.
 */
public final class HostLink implements Terminal.FarEnd, AutoCloseable {
    /** How often the pump wakes without input to look at the host window size. */
    static final int POLL_MILLIS = 100;
    private static final int POLLIN = 0x1, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10;
    // fcntl(2) commands, include/uapi/asm-generic/fcntl.h
    private static final int F_GETFL = 3, F_SETFL = 4;

    private final int fd;
    private final byte[] savedTermios;
    private final int savedFlags;
    private volatile boolean closed;
    private Thread pump;

    private HostLink(int fd, byte[] savedTermios, int savedFlags) {
        this.fd = fd;
        this.savedTermios = savedTermios;
        this.savedFlags = savedFlags;
    }

    /** Takes over host tty {@code fd}: raw and non-blocking from now on. Fails if it is not a terminal. */
    public static HostLink open(int fd) {
        byte[] saved = HostTty.getTermios(fd);
        Termios raw = Termios.decode(saved);
        // cfmakeraw(3)
        raw.iflag &= ~(Termbits.IGNBRK | Termbits.BRKINT | Termbits.PARMRK | Termbits.ISTRIP | Termbits.INLCR
                | Termbits.IGNCR | Termbits.ICRNL | Termbits.IXON);
        raw.oflag &= ~Termbits.OPOST;
        raw.lflag &= ~(Termbits.ECHO | Termbits.ECHONL | Termbits.ICANON | Termbits.ISIG | Termbits.IEXTEN);
        raw.cflag &= ~(Termbits.CSIZE | Termbits.PARENB);
        raw.cflag |= Termbits.CS8;
        raw.cc[Termbits.VMIN] = 1;
        raw.cc[Termbits.VTIME] = 0;
        int flags = Host.fcntl(fd, F_GETFL, 0);
        HostTty.setTermios(fd, raw.encode());
        Host.fcntl(fd, F_SETFL, flags | FileMode.O_NONBLOCK);
        return new HostLink(fd, saved, flags);
    }

    /** The host window size now. */
    public WindowSize windowSize() {
        return WindowSize.decode(HostTty.getWindowSize(fd));
    }

    /** Starts feeding host input into {@code terminal}. */
    public synchronized void start(Terminal terminal) {
        WindowSize initial = windowSize();
        terminal.windowSize(initial);
        pump = Thread.ofPlatform().daemon().name("jvisor-console").start(() -> pump(terminal, initial));
    }

    private void pump(Terminal terminal, WindowSize initial) {
        byte[] buf = new byte[4096];
        WindowSize hostSize = initial;
        try {
            while (!closed) {
                int ready = Host.poll(fd, POLLIN, POLL_MILLIS);
                if (closed) return;
                if ((ready & POLLIN) != 0) {
                    int n = readSome(buf);
                    if (n == 0) break;
                    if (n > 0) terminal.lineDiscipline().receive(buf, 0, n);
                } else if ((ready & (POLLHUP | POLLERR)) != 0) {
                    break;
                }
                // Only a change on the host side is news: a program inside may have set its own
                // size since, and that stays (the host pty is not the sandbox's to resize).
                WindowSize now = windowSize();
                if (!now.equals(hostSize)) {
                    hostSize = now;
                    terminal.windowSize(now);
                }
            }
        } catch (HostException e) {
            // EIO: the master is gone. Anything else also ends the link.
        }
        if (!closed) terminal.hangup();
    }

    /** A read of what is there: -1 when nothing was after all, 0 at end of file. */
    private int readSome(byte[] buf) {
        try {
            return HostTty.read(fd, buf);
        } catch (HostException e) {
            if (e.asErrno() == Errno.EAGAIN || e.asErrno() == Errno.EINTR) return -1;
            throw e;
        }
    }

    /** Room in the host pty now (or it hung up, and a write fails at once). */
    @Override
    public boolean canAccept() {
        if (closed) return true;
        try {
            return (Host.poll(fd, POLLOUT, 0) & (POLLOUT | POLLHUP | POLLERR)) != 0;
        } catch (HostException e) {
            return true;
        }
    }

    /**
     * Writes to the host pty, waiting for room in short polls. Gives up on the rest when the
     * link closes or the writing task has a signal to take (then it is the far side that stopped
     * reading, and the task must not hang for it); a hung-up host drops output, as the pump
     * reports the hangup.
     */
    @Override
    public void write(byte[] b, int off, int len) {
        byte[] rest = b;
        int from = off, left = len;
        while (left > 0 && !closed) {
            int n;
            try {
                n = HostTty.write(fd, rest, from, left);
            } catch (HostException e) {
                if (e.asErrno() != Errno.EAGAIN && e.asErrno() != Errno.EINTR) return;
                n = 0;
            }
            from += n;
            left -= n;
            if (left == 0) return;
            Task t = Task.current();
            if (t != null && t.interruptPending()) return;
            Host.poll(fd, POLLOUT, POLL_MILLIS);
        }
    }

    /** Stops the pump and gives the host terminal its settings back. */
    @Override
    public void close() {
        closed = true;
        Thread p;
        synchronized (this) {
            p = pump;
        }
        if (p != null) {
            try {
                p.join(2L * POLL_MILLIS + 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            HostTty.setTermios(fd, savedTermios);
            Host.fcntl(fd, F_SETFL, savedFlags);
        } catch (HostException e) {
            // the terminal is gone; nothing to restore
        }
    }
}
