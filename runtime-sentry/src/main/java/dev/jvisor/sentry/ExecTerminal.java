package dev.jvisor.sentry;

import dev.jvisor.abi.linux.ErrnoException;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.fs.tty.Devpts;
import dev.jvisor.sentry.fs.tty.HostLink;
import dev.jvisor.sentry.fs.tty.Terminal;
import dev.jvisor.sentry.host.Host;
import dev.jvisor.sentry.host.HostException;
import dev.jvisor.sentry.kernel.ThreadGroup;
import dev.jvisor.sentry.vfs.FdTable;
import dev.jvisor.sentry.vfs.OpenFile;

/**
 * The terminal of a process exec'd with one (runsc exec -t): a new /dev/pts/N of the sandbox
 * whose far side is the host pty slave runsc passed, run through the Sentry's own line
 * discipline as the console is. It owns that host fd: {@link #close} hangs the terminal up,
 * removes /dev/pts/N, gives the host tty its settings back and closes the fd, so the host
 * master's reader (the containerd shim) sees the end of the output.
 */
final class ExecTerminal {
    private final Devpts devpts;
    private final int hostFd;
    private final HostLink link;
    private final Terminal terminal;
    private boolean closed;

    private ExecTerminal(Devpts devpts, int hostFd, HostLink link, Terminal terminal) {
        this.devpts = devpts;
        this.hostFd = hostFd;
        this.link = link;
        this.terminal = terminal;
    }

    /**
     * Takes over host pty slave {@code hostFd} (from now on this object's to close, also when
     * this fails) and makes a sandbox terminal over it.
     */
    static ExecTerminal open(Devpts devpts, int hostFd) {
        HostLink link;
        try {
            link = HostLink.open(hostFd);
        } catch (HostException e) {
            Host.close(hostFd);
            throw new Sandbox.SandboxException("the exec'd process's terminal (host fd " + hostFd + ") is not a terminal: " + e.getMessage(), e);
        }
        try {
            return new ExecTerminal(devpts, hostFd, link, devpts.attachHost(link));
        } catch (ErrnoException e) {
            link.close();
            Host.close(hostFd);
            throw new Sandbox.SandboxException("no pseudo-terminal left in the sandbox: " + e.errno().description(), e);
        }
    }

    /** The process's fds 0, 1 and 2: one open file of /dev/pts/N, as a runtime dup2s a slave onto them. */
    FdTable stdio() {
        OpenFile tty = terminal.openSlave(FileMode.O_RDWR | FileMode.O_NOCTTY);
        FdTable fds = new FdTable();
        fds.install(tty, 0, false);
        fds.installAt(1, tty.retain(), false);
        fds.installAt(2, tty.retain(), false);
        return fds;
    }

    /**
     * Makes the terminal the controlling terminal of {@code leader}'s session (its group in the
     * foreground) and starts passing host input in: call before the process first runs.
     */
    void controlledBy(ThreadGroup leader) {
        terminal.controlSessionOf(leader);
        link.start(terminal);
    }

    /** The session leader is gone: hang up, drop /dev/pts/N and let go of the host slave. Idempotent. */
    synchronized void close() {
        if (closed) return;
        closed = true;
        devpts.release(terminal);
        link.close();
        try {
            Host.close(hostFd);
        } catch (HostException ignored) {
            // already gone with the host side
        }
    }
}
