package dev.jvisor.runsc.lifecycle;

import dev.jvisor.oci.OciSpec;
import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.sentry.SandboxSpec;
import dev.jvisor.sentry.host.Host;
import dev.jvisor.sentry.host.HostException;
import dev.jvisor.sentry.host.HostTty;
import java.nio.file.Path;

/**
 * The terminal of a process started with {@code --console-socket} (runc's console socket
 * protocol): a new host pty whose master goes to whoever listens on the socket, as one message
 * carrying exactly one descriptor (SCM_RIGHTS) and the master's name as data; the slave
 * becomes the process's terminal. {@code create} and {@code exec} use it the same way:
 *
 * <pre>{@code
 * try (ConsoleSocket console = ConsoleSocket.connect(socket, spec.process().consoleSize())) {
 *     start the sandbox's process, telling it console.slavePath();
 *     there: spec = ConsoleSocket.onTerminal(spec, slavePath), before it reports ready;
 *     wait until it is ready; closing then drops only this process's hold on the slave
 * }
 * }</pre>
 *
 * Until {@link #close} this object holds the slave open, so that the master's reader never sees
 * the terminal hang up between the hand-over and the process taking the slave.
 */
public final class ConsoleSocket implements AutoCloseable {
    /** The data runc sends with the master: the name it opened it by. */
    static final String MASTER_NAME = "/dev/ptmx";
    /** struct winsize holds unsigned shorts. */
    private static final long MAX_DIMENSION = 0xFFFF;

    private final String slavePath;
    private int slave;

    private ConsoleSocket(String slavePath, int slave) {
        this.slavePath = slavePath;
        this.slave = slave;
    }

    /**
     * Opens a pty, sizes it ({@code size} may be null: 0x0, as runc leaves it) and sends its
     * master over the unix socket at {@code socket}.
     */
    public static ConsoleSocket connect(Path socket, OciSpec.ConsoleSize size) throws RunscException {
        if (size != null && (size.height() > MAX_DIMENSION || size.width() > MAX_DIMENSION)) {
            throw new RunscException("config.json: process.consoleSize: at most " + MAX_DIMENSION + " rows and columns");
        }
        HostTty.Pty pty;
        try {
            pty = HostTty.openPty();
        } catch (HostException e) {
            throw new RunscException("cannot allocate a terminal: " + e.getMessage(), e);
        }
        int slave = -1;
        try {
            if (size != null) HostTty.setWindowSize(pty.master(), (int) size.height(), (int) size.width());
            slave = HostTty.openTerminal(pty.slavePath());
            HostTty.sendFd(socket.toString(), pty.master(), MASTER_NAME);
            return new ConsoleSocket(pty.slavePath(), slave);
        } catch (HostException | IllegalArgumentException e) {
            if (slave >= 0) Host.close(slave);
            throw new RunscException("--console-socket " + socket + ": " + e.getMessage(), e);
        } finally {
            // The listener has its own copy now; ours would keep the terminal open after the container.
            Host.close(pty.master());
        }
    }

    /** The slave's host path, e.g. /dev/pts/3. */
    public String slavePath() { return slavePath; }

    /**
     * In the process that runs the sandbox: opens the slave at {@code slavePath} (read-write,
     * never as this process's controlling terminal) and returns {@code spec} with it as the
     * program's terminal.
     */
    public static SandboxSpec onTerminal(SandboxSpec spec, String slavePath) throws RunscException {
        int fd;
        try {
            fd = HostTty.openTerminal(slavePath);
        } catch (HostException e) {
            throw new RunscException("cannot open the container's terminal: " + e.getMessage(), e);
        }
        if (!HostTty.isTerminal(fd)) {
            Host.close(fd);
            throw new RunscException("the container's terminal " + slavePath + " is not a terminal");
        }
        return new SandboxSpec(spec.rootfs(), spec.argv(), spec.env(), spec.cwd(), spec.hostname(), spec.strace(),
                fd, fd, fd, spec.rootOverlay(), true, spec.identity(), spec.mounts());
    }

    /** Lets go of this process's hold on the slave. */
    @Override
    public synchronized void close() {
        if (slave < 0) return;
        Host.close(slave);
        slave = -1;
    }
}
