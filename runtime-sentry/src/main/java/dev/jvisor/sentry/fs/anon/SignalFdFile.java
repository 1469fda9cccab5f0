package dev.jvisor.sentry.fs.anon;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.kernel.SigInfo;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.OpenFile;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * signalfd(2): reading takes pending signals of its mask from the reading task (and its
 * process) as 128-byte {@code struct signalfd_siginfo} records.
 */
public final class SignalFdFile extends OpenFile {
    private volatile long mask;

    public SignalFdFile(long mask, int flags) {
        super(AnonInode.location(), "anon_inode:[signalfd]", FileMode.O_RDWR | (flags & FileMode.O_NONBLOCK));
        this.mask = mask;
    }

    public void mask(long m) { mask = m; }

    @Override
    public int read(Task t, byte[] buf, int off, int len) {
        if (len < 128) throw Errno.EINVAL.exception();
        int n = 0;
        while (true) {
            while (n + 128 <= len) {
                SigInfo s = t.takeSignal(mask);
                if (s == null) break;
                ByteBuffer b = ByteBuffer.wrap(buf, off + n, 128).order(ByteOrder.LITTLE_ENDIAN);
                b.putInt(s.signo).putInt(s.errno).putInt(s.code).putInt(s.pid).putInt(s.uid).putInt(0) // fd
                 .putInt(s.timerId).putInt(0).putInt(s.overrun).putInt(0).putInt(s.status).putInt(0)
                 .putLong(s.value).putLong(s.utime).putLong(s.stime).putLong(s.addr);
                while (b.position() - (off + n) < 128) b.put((byte) 0);
                n += 128;
            }
            if (n > 0) return n;
            if (nonBlocking()) throw Errno.EAGAIN.exception();
            t.prepareSleep();
            if ((t.pendingMask() & mask) != 0) continue;
            t.sleep(Long.MAX_VALUE);
        }
    }

    @Override
    public int poll(int mask) {
        Task t = Task.current();
        if (t != null && (t.pendingMask() & this.mask) != 0) return (POLLIN | POLLRDNORM) & mask;
        return 0;
    }
}
