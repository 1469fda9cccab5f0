package dev.jvisor.sentry.fs.pipe;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.abi.linux.Signal;
import dev.jvisor.sentry.kernel.SigInfo;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.WaitQueue;
import dev.jvisor.sentry.vfs.FileSystem;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.OpenFile;

/**
 * A pipe: 64 KiB of buffer (Linux's default), writes of up to PIPE_BUF (4096) bytes are atomic,
 * reading an empty pipe with no writers is EOF, writing with no readers raises SIGPIPE/EPIPE.
 */
public final class Pipe {
    public static final int PIPE_BUF = 4096;
    /** PIPEFS_MAGIC, include/uapi/linux/magic.h. */
    private static final FileSystem PIPEFS = new FileSystem("pipefs", 0x50495045L, false);

    private final byte[] ring = new byte[65536];
    private int head, count;
    private int readers, writers;
    private boolean hadWriter;
    /** Readers blocked on an empty pipe, and pollers of either end. */
    private final WaitQueue queue = new WaitQueue();
    /**
     * Writers blocked on a full pipe, apart: a read wakes them only once there is room for what
     * they wait for, not after every few bytes read (each wake-up is a thread switch).
     */
    private final WaitQueue blockedWriters = new WaitQueue();
    private int writersBlocked;
    /** The least room a blocked writer waits for (stale-low only wakes one early, which re-checks). */
    private int leastWant = Integer.MAX_VALUE;
    private final Inode inode;

    public Pipe() {
        this.inode = new dev.jvisor.sentry.vfs.AnonymousInode(PIPEFS, FileMode.S_IFIFO | 0600);
    }

    /** An anonymous pipe: {read end, write end}, as pipe2(2) makes. */
    public static OpenFile[] create(int flags) {
        Pipe p = new Pipe();
        Location loc = new Location(null, p.inode);
        String name = "pipe:[" + p.inode.ino() + "]";
        return new OpenFile[] {p.openReader(loc, name, FileMode.O_RDONLY | flags), p.openWriter(loc, name, FileMode.O_WRONLY | flags)};
    }

    public synchronized OpenFile openReader(Location loc, String path, int flags) {
        readers++;
        return new End(loc, path, flags, true);
    }

    public synchronized OpenFile openWriter(Location loc, String path, int flags) {
        writers++;
        hadWriter = true;
        return new End(loc, path, flags, false);
    }

    private synchronized int readyMask(boolean reader) {
        int m = 0;
        if (reader) {
            if (count > 0) m |= OpenFile.POLLIN | OpenFile.POLLRDNORM;
            if (writers == 0 && hadWriter) m |= OpenFile.POLLHUP;
        } else {
            if (ring.length - count >= PIPE_BUF) m |= OpenFile.POLLOUT | OpenFile.POLLWRNORM;
            if (readers == 0) m |= OpenFile.POLLERR;
        }
        return m;
    }

    private final class End extends OpenFile {
        private final boolean reader;

        End(Location loc, String path, int flags, boolean reader) {
            super(loc, path, flags);
            this.reader = reader;
        }

        @Override
        public int read(Task t, byte[] buf, int off, int len) {
            if (!reader) throw Errno.EBADF.exception();
            if (len == 0) return 0;
            while (true) {
                synchronized (Pipe.this) {
                    if (count > 0) {
                        int n = Math.min(len, count);
                        // At most two runs: up to the ring's end, then from its start.
                        int first = Math.min(n, ring.length - head);
                        System.arraycopy(ring, head, buf, off, first);
                        System.arraycopy(ring, 0, buf, off + first, n - first);
                        head = (head + n) % ring.length;
                        count -= n;
                        queue.wakeAll();
                        if (writersBlocked > 0 && ring.length - count >= leastWant) blockedWriters.wakeAll();
                        return n;
                    }
                    if (writers == 0) return 0;
                }
                if (nonBlocking()) throw Errno.EAGAIN.exception();
                t.block(queue, () -> {
                    synchronized (Pipe.this) {
                        return count > 0 || writers == 0;
                    }
                }, Long.MAX_VALUE);
            }
        }

        @Override
        public int write(Task t, byte[] buf, int off, int len) {
            if (reader) throw Errno.EBADF.exception();
            int done = 0;
            while (done < len || len == 0) {
                synchronized (Pipe.this) {
                    if (readers == 0) {
                        if (t != null) t.kernel().signalTask(t, SigInfo.user(Signal.SIGPIPE, t.tgid(), t.creds().uid()));
                        if (done > 0) return done;
                        throw Errno.EPIPE.exception();
                    }
                    if (len == 0) return 0;
                    int space = ring.length - count;
                    int remaining = len - done;
                    // Writes of at most PIPE_BUF bytes go in whole or not at all.
                    boolean canWrite = remaining <= PIPE_BUF ? space >= remaining : space > 0;
                    if (canWrite) {
                        int n = Math.min(space, remaining);
                        int tail = (head + count) % ring.length;
                        int first = Math.min(n, ring.length - tail);
                        System.arraycopy(buf, off + done, ring, tail, first);
                        System.arraycopy(buf, off + done + first, ring, 0, n - first);
                        count += n;
                        done += n;
                        queue.wakeAll();
                        continue;
                    }
                }
                if (nonBlocking()) {
                    if (done > 0) return done;
                    throw Errno.EAGAIN.exception();
                }
                // A write of at most PIPE_BUF waits for room for all of it; a longer one for half the
                // buffer (or what is left), so that it goes on in large pieces, as Linux's does.
                int remaining = len - done;
                int want = remaining <= PIPE_BUF ? remaining : Math.min(remaining, ring.length / 2);
                synchronized (Pipe.this) {
                    writersBlocked++;
                    leastWant = Math.min(leastWant, want);
                }
                try {
                    t.block(blockedWriters, () -> {
                        synchronized (Pipe.this) {
                            return readers == 0 || ring.length - count >= want;
                        }
                    }, Long.MAX_VALUE);
                } catch (dev.jvisor.abi.linux.ErrnoException e) {
                    if (done > 0) return done;
                    throw e;
                } finally {
                    synchronized (Pipe.this) {
                        if (--writersBlocked == 0) leastWant = Integer.MAX_VALUE;
                    }
                }
            }
            return done;
        }

        @Override
        public int poll(int mask) {
            return readyMask(reader) & (mask | OpenFile.POLLHUP | OpenFile.POLLERR);
        }

        @Override
        public WaitQueue waitQueue() { return queue; }

        @Override
        public long ioctl(Task t, long request, long arg) {
            if (request == 0x541B) { // FIONREAD
                int n;
                synchronized (Pipe.this) {
                    n = count;
                }
                t.mm().writeInt(arg, n);
                return 0;
            }
            throw Errno.ENOTTY.exception();
        }

        @Override
        protected void onLastClose() {
            synchronized (Pipe.this) {
                if (reader) readers--;
                else writers--;
            }
            queue.wakeAll();
            blockedWriters.wakeAll();
        }
    }
}
