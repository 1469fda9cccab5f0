package dev.jvisor.sentry.fs.tty;

import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.WaitQueue;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.OpenFile;

/** An open terminal (a pty slave): every operation goes to its {@link Terminal}. */
public final class TtyFile extends OpenFile {
    private final Terminal terminal;

    TtyFile(Location loc, String path, int flags, Terminal terminal) {
        super(loc, path, flags);
        this.terminal = terminal;
    }

    public Terminal terminal() { return terminal; }

    @Override
    public int read(Task t, byte[] buf, int off, int len) {
        return terminal.read(t, this, buf, off, len);
    }

    @Override
    public int write(Task t, byte[] buf, int off, int len) {
        return terminal.write(t, this, buf, off, len);
    }

    @Override
    public long ioctl(Task t, long request, long arg) {
        return terminal.ioctl(t, request, arg, false);
    }

    @Override
    public int poll(int mask) {
        return terminal.poll(mask);
    }

    @Override
    public WaitQueue waitQueue() { return terminal.queue(); }

    @Override
    protected void onLastClose() {
        terminal.slaveClosed();
    }
}
