package dev.jvisor.sentry.fs.tty;

import dev.jvisor.abi.linux.Termbits;
import dev.jvisor.sentry.host.Host;
import dev.jvisor.sentry.host.HostException;
import dev.jvisor.sentry.host.HostTty;

/**
 * The console's far side: the host pty slave the runtime was given. It is put in raw mode and
 * used only as a byte pipe (the Sentry's {@link LineDiscipline} does all the processing, so the
 * host never echoes, maps or signals); a pump thread feeds what arrives into the terminal, and
 * notices window size changes and hangup. Closing restores the host terminal's settings.
 */
public final class HostLink implements Terminal.FarEnd, AutoCloseable {
    /** How often the pump wakes without input to look at the host window size. */
    static final int POLL_MILLIS = 100;
    private static final int POLLIN = 0x1, POLLERR = 0x8, POLLHUP = 0x10;

    private final int fd;
    private final byte[] savedTermios;
    private volatile boolean closed;
    private Thread pump;

    private HostLink(int fd, byte[] savedTermios) {
        this.fd = fd;
        this.savedTermios = savedTermios;
    }

    /** Takes over host tty {@code fd}: raw mode from now on. Fails if it is not a terminal. */
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
        HostTty.setTermios(fd, raw.encode());
        return new HostLink(fd, saved);
    }

    /** The host window size now. */
    public WindowSize windowSize() {
        return WindowSize.decode(HostTty.getWindowSize(fd));
    }

    /** Starts feeding host input into {@code terminal}. */
    public synchronized void start(Terminal terminal) {
        terminal.windowSize(windowSize());
        pump = Thread.ofPlatform().daemon().name("jvisor-console").start(() -> pump(terminal));
    }

    private void pump(Terminal terminal) {
        byte[] buf = new byte[4096];
        try {
            while (!closed) {
                int ready = Host.poll(fd, POLLIN, POLL_MILLIS);
                if (closed) return;
                if ((ready & POLLIN) != 0) {
                    int n = HostTty.read(fd, buf);
                    if (n == 0) break;
                    terminal.lineDiscipline().receive(buf, 0, n);
                } else if ((ready & (POLLHUP | POLLERR)) != 0) {
                    break;
                }
                terminal.windowSize(windowSize());
            }
        } catch (HostException e) {
            // EIO: the master is gone. Anything else also ends the link.
        }
        if (!closed) terminal.hangup();
    }

    @Override
    public void write(byte[] b, int off, int len) {
        try {
            Host.writeFully(fd, b, off, len);
        } catch (HostException e) {
            // The master went away; the pump reports the hangup.
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
        } catch (HostException e) {
            // the terminal is gone; nothing to restore
        }
    }
}
