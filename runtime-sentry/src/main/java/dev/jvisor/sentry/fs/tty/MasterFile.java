package dev.jvisor.sentry.fs.tty;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.abi.linux.TtyIoctl;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.WaitQueue;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.OpenFile;

/**
 * A pty master opened through /dev/ptmx inside the sandbox: reading it gets what the slave's
 * programs wrote (after output processing), writing it types into the slave's line discipline.
 */
final class MasterFile extends OpenFile {
    /** Output the master has not read yet beyond this blocks the slave's writers. */
    static final int OUTPUT_LIMIT = 64 * 1024;

    private final Terminal terminal;
    private final Devpts devpts;
    private final Screen screen = new Screen();

    MasterFile(Location loc, String path, int flags, Terminal terminal, Devpts devpts) {
        super(loc, path, flags);
        this.terminal = terminal;
        this.devpts = devpts;
    }

    Terminal.FarEnd end() { return screen; }

    /** The slave's output, waiting for the master to read it. */
    private final class Screen implements Terminal.FarEnd {
        private final ByteQueue pending = new ByteQueue();

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (this) {
                pending.add(b, off, len);
            }
            terminal.queue().wakeAll();
        }

        @Override
        public synchronized boolean canAccept() { return pending.size() < OUTPUT_LIMIT; }

        synchronized int size() { return pending.size(); }

        synchronized int take(byte[] buf, int off, int len) {
            int n = Math.min(len, pending.size());
            pending.take(buf, off, n);
            return n;
        }
    }

    @Override
    public int read(Task t, byte[] buf, int off, int len) {
        if (len == 0) return 0;
        while (true) {
            int n = screen.take(buf, off, len);
            if (n > 0) {
                terminal.queue().wakeAll(); // writers waiting for room
                return n;
            }
            if (terminal.slavesGone()) throw Errno.EIO.exception();
            if (nonBlocking()) throw Errno.EAGAIN.exception();
            t.block(terminal.queue(), () -> screen.size() > 0 || terminal.slavesGone(), Long.MAX_VALUE);
        }
    }

    @Override
    public int write(Task t, byte[] buf, int off, int len) {
        terminal.lineDiscipline().receive(buf, off, len);
        return len;
    }

    @Override
    public int poll(int mask) {
        int ready = OpenFile.POLLOUT | OpenFile.POLLWRNORM;
        if (screen.size() > 0) ready |= OpenFile.POLLIN | OpenFile.POLLRDNORM;
        if (terminal.slavesGone()) ready |= OpenFile.POLLHUP;
        return ready & (mask | OpenFile.POLLHUP | OpenFile.POLLERR);
    }

    @Override
    public WaitQueue waitQueue() { return terminal.queue(); }

    @Override
    public long ioctl(Task t, long request, long arg) {
        if (request == TtyIoctl.TIOCGPTN) {
            t.mm().writeInt(arg, terminal.index());
            return 0;
        }
        if (request == TtyIoctl.TIOCSPTLCK) {
            terminal.locked(t.mm().readInt(arg) != 0);
            return 0;
        }
        if (request == TtyIoctl.TIOCGPTLCK) {
            t.mm().writeInt(arg, terminal.locked() ? 1 : 0);
            return 0;
        }
        if (request == TtyIoctl.TIOCGPTPEER) {
            int flags = (int) arg;
            if ((flags & ~(FileMode.O_ACCMODE | FileMode.O_NOCTTY | FileMode.O_NONBLOCK | FileMode.O_CLOEXEC)) != 0) {
                throw Errno.EINVAL.exception();
            }
            OpenFile slave = terminal.openSlave(new Location(null, terminal.node()), terminal.path(), flags);
            return t.fds().install(slave, 0, (flags & FileMode.O_CLOEXEC) != 0);
        }
        if (request == TtyIoctl.FIONREAD) {
            t.mm().writeInt(arg, screen.size());
            return 0;
        }
        if (request == TtyIoctl.TIOCSCTTY || request == TtyIoctl.TIOCNOTTY || request == TtyIoctl.TIOCSPGRP) {
            // A master is nobody's controlling terminal in the sandbox.
            throw Errno.ENOTTY.exception();
        }
        return terminal.ioctl(t, request, arg, true);
    }

    @Override
    protected void onLastClose() {
        terminal.hangup();
        devpts.remove(terminal);
    }
}
