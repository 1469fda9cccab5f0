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
    /** Opens of each end so far (fs/pipe.c r_counter, w_counter): a FIFO open waits for the other's to move. */
    private int readerOpens, writerOpens;
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

    /** A FIFO's pipe: its inode is the FIFO's, this one is never seen. */
    public Pipe() {
        this(0, 0);
    }

    /**
     * A pipe whose inode belongs to {@code uid}:{@code gid}, mode 0600, as pipefs makes it for
     * its creator's filesystem ids: only they (or a capable process) may open it again through
     * /proc/PID/fd.
     */
    private Pipe(int uid, int gid) {
        // Opened again through /proc/PID/fd/N, an anonymous pipe gives a new end of the same
        // pipe at once: fifo_open neither waits for a partner nor fails with ENXIO for a pipe.
        this.inode = new dev.jvisor.sentry.vfs.AnonymousInode(PIPEFS, FileMode.S_IFIFO | 0600, uid, gid, 0) {
            @Override
            public OpenFile open(Location loc, String path, int flags) {
                int access = flags & FileMode.O_ACCMODE;
                return Pipe.this.open(loc, path, flags & ~FileMode.O_CREAT, access != FileMode.O_WRONLY, access != FileMode.O_RDONLY);
            }
        };
    }

    /** An anonymous pipe of root's: {read end, write end}. */
    public static OpenFile[] create(int flags) {
        return create(flags, 0, 0);
    }

    /** An anonymous pipe: {read end, write end}, as pipe2(2) makes for a process of fsuid:fsgid. */
    public static OpenFile[] create(int flags, int fsuid, int fsgid) {
        Pipe p = new Pipe(fsuid, fsgid);
        Location loc = new Location(null, p.inode);
        String name = "pipe:[" + p.inode.ino() + "]";
        return new OpenFile[] {p.openReader(loc, name, FileMode.O_RDONLY | flags), p.openWriter(loc, name, FileMode.O_WRONLY | flags)};
    }

    public synchronized OpenFile openReader(Location loc, String path, int flags) {
        return open(loc, path, flags, true, false);
    }

    public synchronized OpenFile openWriter(Location loc, String path, int flags) {
        return open(loc, path, flags, false, true);
    }

    private synchronized End open(Location loc, String path, int flags, boolean reads, boolean writes) {
        if (reads) {
            readers++;
            readerOpens++;
        }
        if (writes) {
            writers++;
            writerOpens++;
        }
        queue.wakeAll();
        blockedWriters.wakeAll();
        return new End(loc, path, flags, reads, writes, writerOpens);
    }

    /**
     * Opens a named pipe as Linux's fifo_open does: a reader or writer without O_NONBLOCK waits
     * for the other end to be opened (interruptibly; {@code t} null does not wait), a
     * non-blocking writer with no reader fails with ENXIO, and O_RDWR is both ends at once and
     * never waits.
     */
    public OpenFile openFifo(Task t, Location loc, String path, int flags) {
        boolean wait = (flags & FileMode.O_NONBLOCK) == 0 && t != null;
        End end;
        int partnerOpens;
        boolean reads;
        synchronized (this) {
            switch (flags & FileMode.O_ACCMODE) {
                case FileMode.O_RDONLY -> {
                    reads = true;
                    wait &= writers == 0;
                    end = open(loc, path, flags, true, false);
                }
                case FileMode.O_WRONLY -> {
                    if (!wait && readers == 0 && (flags & FileMode.O_NONBLOCK) != 0) throw Errno.ENXIO.exception();
                    reads = false;
                    wait &= readers == 0;
                    end = open(loc, path, flags, false, true);
                }
                case FileMode.O_RDWR -> {
                    return open(loc, path, flags, true, true);
                }
                default -> throw Errno.EINVAL.exception();
            }
            partnerOpens = reads ? writerOpens : readerOpens;
        }
        if (!wait) return end;
        try {
            t.block(queue, () -> {
                synchronized (Pipe.this) {
                    return (reads ? writerOpens : readerOpens) != partnerOpens;
                }
            }, Long.MAX_VALUE);
        } catch (RuntimeException e) {
            end.release();   // an interrupted open leaves no end behind
            throw e;
        }
        return end;
    }

    private synchronized int readyMask(End e) {
        int m = 0;
        if (e.reads) {
            if (count > 0) m |= OpenFile.POLLIN | OpenFile.POLLRDNORM;
            // Hung up once the writers that came since this end opened are all gone (a FIFO
            // reader that has seen no writer yet is not hung up).
            if (writers == 0 && writerOpens != e.writerOpensAtOpen) m |= OpenFile.POLLHUP;
        }
        if (e.writes) {
            if (ring.length - count >= PIPE_BUF) m |= OpenFile.POLLOUT | OpenFile.POLLWRNORM;
            if (readers == 0) m |= OpenFile.POLLERR;
        }
        return m;
    }

    private final class End extends OpenFile {
        private final boolean reads, writes;
        private final int writerOpensAtOpen;

        End(Location loc, String path, int flags, boolean reads, boolean writes, int writerOpensAtOpen) {
            super(loc, path, flags);
            this.reads = reads;
            this.writes = writes;
            this.writerOpensAtOpen = writerOpensAtOpen;
        }

        @Override
        public int read(Task t, byte[] buf, int off, int len) {
            if (!reads) throw Errno.EBADF.exception();
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
            if (!writes) throw Errno.EBADF.exception();
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
            return readyMask(this) & (mask | OpenFile.POLLHUP | OpenFile.POLLERR);
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
                if (reads) readers--;
                if (writes) writers--;
            }
            queue.wakeAll();
            blockedWriters.wakeAll();
        }
    }
}
