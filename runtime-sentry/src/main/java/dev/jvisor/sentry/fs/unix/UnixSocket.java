package dev.jvisor.sentry.fs.unix;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.abi.linux.Signal;
import dev.jvisor.sentry.kernel.SigInfo;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.WaitQueue;
import dev.jvisor.sentry.vfs.FileSystem;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.OpenFile;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * One AF_UNIX socket. Each connected socket owns its receive queue; a peer writes into it.
 * Stream sockets keep message boundaries only where control messages (passed files) are
 * attached, as Linux does; datagram and seqpacket sockets keep every boundary.
 */
public final class UnixSocket extends OpenFile {
    public static final int SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_SEQPACKET = 5;
    /** SOCKFS_MAGIC, include/uapi/linux/magic.h. */
    static final FileSystem SOCKFS = new FileSystem("sockfs", 0x534F434B, false);
    private static final int CAPACITY = 212992; // net.core.rmem_default

    /** A queued message: its bytes, the files passed with it, and the sender's credentials. */
    static final class Message {
        final byte[] data;
        int offset;
        List<OpenFile> files;
        final int[] creds;
        final String from;

        Message(byte[] data, List<OpenFile> files, int[] creds, String from) {
            this.data = data;
            this.files = files;
            this.creds = creds;
            this.from = from;
        }

        int remaining() { return data.length - offset; }
    }

    private final int type;
    /** AF_UNIX, or AF_INET/AF_INET6 for loopback sockets served the same way inside the sandbox. */
    private volatile int family = 1;
    private final Object lock = new Object();
    private final Deque<Message> queue = new ArrayDeque<>();
    private int queuedBytes;
    private final WaitQueue waiters = new WaitQueue();
    private UnixSocket peer;
    private boolean readShut, writeShut, peerClosed;
    private String boundName;
    private Deque<UnixSocket> backlog;
    private int backlogLimit;
    private int[] peerCreds;
    private boolean passCred;

    public UnixSocket(int type, int flags) {
        super(new Location(null, new dev.jvisor.sentry.vfs.AnonymousInode(SOCKFS, FileMode.S_IFSOCK | 0777)), "", FileMode.O_RDWR | (flags & FileMode.O_NONBLOCK));
        this.type = type;
    }

    public int type() { return type; }

    public int family() { return family; }

    public UnixSocket family(int f) {
        family = f;
        return this;
    }

    @Override
    public String path() { return "socket:[" + inode().ino() + "]"; }

    /** socketpair(2): two sockets connected to each other. */
    public static UnixSocket[] pair(int type, int flags, int[] creds) {
        UnixSocket a = new UnixSocket(type, flags), b = new UnixSocket(type, flags);
        a.peer = b;
        b.peer = a;
        a.peerCreds = creds;
        b.peerCreds = creds;
        return new UnixSocket[] {a, b};
    }

    public String boundName() { synchronized (lock) { return boundName; } }

    public void bound(String name) {
        synchronized (lock) {
            if (boundName != null) throw Errno.EINVAL.exception();
            boundName = name;
        }
    }

    public String peerName() {
        UnixSocket p;
        synchronized (lock) {
            p = peer;
        }
        if (p == null) throw Errno.ENOTCONN.exception();
        return p.boundName();
    }

    public int[] peerCredentials() { synchronized (lock) { return peerCreds; } }

    public void passCredentials(boolean on) { synchronized (lock) { passCred = on; } }

    public boolean passesCredentials() { synchronized (lock) { return passCred; } }

    /** The peer's bound name, or null when unnamed or unconnected. */
    public String peerNameOrNull() {
        UnixSocket p;
        synchronized (lock) {
            p = peer;
        }
        return p == null ? null : p.boundName();
    }

    public void listen(int backlogSize) {
        if (type == SOCK_DGRAM) throw Errno.EOPNOTSUPP.exception();
        synchronized (lock) {
            if (peer != null) throw Errno.EINVAL.exception();
            if (boundName == null) throw Errno.EINVAL.exception();
            if (backlog == null) backlog = new ArrayDeque<>();
            backlogLimit = Math.max(1, Math.min(backlogSize, 4096));
        }
    }

    public boolean listening() { synchronized (lock) { return backlog != null; } }

    /** connect(2) of a stream/seqpacket socket to a listener. */
    public void connect(Task t, UnixSocket listener, int[] creds) {
        if (listener.type != type) throw Errno.EPROTOTYPE.exception();
        if (type == SOCK_DGRAM) {
            synchronized (lock) {
                peer = listener;
            }
            return;
        }
        synchronized (lock) {
            if (peer != null) throw Errno.EISCONN.exception();
        }
        UnixSocket server = new UnixSocket(type, 0).family(listener.family);
        server.boundName = listener.boundName();
        while (true) {
            synchronized (listener.lock) {
                if (listener.backlog == null) throw Errno.ECONNREFUSED.exception();
                if (listener.backlog.size() < listener.backlogLimit) {
                    synchronized (lock) {
                        peer = server;
                        peerCreds = listener.peerCredsOrSelf();
                    }
                    server.peer = this;
                    server.peerCreds = creds;
                    listener.backlog.add(server);
                    listener.waiters.wakeAll();
                    return;
                }
            }
            if (nonBlocking()) throw Errno.EAGAIN.exception();
            t.block(listener.waiters, () -> {
                synchronized (listener.lock) {
                    return listener.backlog == null || listener.backlog.size() < listener.backlogLimit;
                }
            }, Long.MAX_VALUE);
        }
    }

    private int[] peerCredsOrSelf() { return peerCreds != null ? peerCreds : new int[] {0, 0, 0}; }

    /** accept(2): the next connection, blocking unless non-blocking. */
    public UnixSocket accept(Task t, int[] creds) {
        while (true) {
            synchronized (lock) {
                if (backlog == null) throw Errno.EINVAL.exception();
                UnixSocket s = backlog.poll();
                if (s != null) {
                    s.peerCreds = s.peerCreds == null ? creds : s.peerCreds;
                    waiters.wakeAll();
                    return s;
                }
            }
            if (nonBlocking()) throw Errno.EAGAIN.exception();
            t.block(waiters, () -> {
                synchronized (lock) {
                    return backlog == null || !backlog.isEmpty();
                }
            }, Long.MAX_VALUE);
        }
    }

    /** Sends {@code data} (and files) to the peer, or to {@code to} for an unconnected datagram socket. */
    public int send(Task t, byte[] data, List<OpenFile> files, UnixSocket to, boolean dontWait, boolean noSignal) {
        UnixSocket target;
        synchronized (lock) {
            if (writeShut) {
                if (!noSignal) raisePipe(t);
                throw Errno.EPIPE.exception();
            }
            target = to != null ? to : peer;
        }
        if (target == null) throw (type == SOCK_DGRAM ? Errno.EDESTADDRREQ : Errno.ENOTCONN).exception();
        if (type != SOCK_STREAM && data.length > CAPACITY) throw Errno.EMSGSIZE.exception();
        int[] creds = t == null ? new int[] {0, 0, 0} : new int[] {t.tgid(), t.creds().uid(), t.creds().gid()};
        String from = boundName();
        int sent = 0;
        boolean first = true;
        while (sent < data.length || first) {
            first = false;
            synchronized (target.lock) {
                if (target.readShut || target.isClosed()) {
                    if (sent > 0) return sent;
                    if (type == SOCK_DGRAM && to != null) throw Errno.ECONNREFUSED.exception();
                    if (!noSignal) raisePipe(t);
                    throw Errno.EPIPE.exception();
                }
                int space = CAPACITY - target.queuedBytes;
                int want = data.length - sent;
                boolean fits = type == SOCK_STREAM ? space > 0 || want == 0 : space >= want;
                if (fits) {
                    int n = type == SOCK_STREAM ? Math.min(space, want) : want;
                    byte[] chunk = Arrays.copyOfRange(data, sent, sent + n);
                    target.queue.add(new Message(chunk, sent == 0 ? files : List.of(), creds, from));
                    target.queuedBytes += n;
                    sent += n;
                    target.waiters.wakeAll();
                    if (sent >= data.length) return sent;
                    continue;
                }
            }
            if (dontWait || nonBlocking()) {
                if (sent > 0) return sent;
                throw Errno.EAGAIN.exception();
            }
            int needed = type == SOCK_STREAM ? 1 : data.length - sent;
            t.block(target.waiters, () -> {
                synchronized (target.lock) {
                    return target.readShut || target.isClosed() || CAPACITY - target.queuedBytes >= needed;
                }
            }, Long.MAX_VALUE);
        }
        return sent;
    }

    private static void raisePipe(Task t) {
        if (t != null) t.kernel().signalTask(t, SigInfo.user(Signal.SIGPIPE, t.tgid(), t.creds().uid()));
    }

    /** What a receive returns: bytes, passed files, sender credentials and address, truncation. */
    public record Received(byte[] data, List<OpenFile> files, int[] creds, String from, boolean truncated, int fullLength) {}

    public Received receive(Task t, int max, boolean peek, boolean dontWait, boolean waitAll) {
        while (true) {
            synchronized (lock) {
                if (!queue.isEmpty()) return take(max, peek, waitAll);
                if (readShut || (type != SOCK_DGRAM && (peerClosed || (peer != null && peer.writeShutFor(this))))) {
                    return new Received(new byte[0], List.of(), null, null, false, 0);
                }
                if (type != SOCK_DGRAM && peer == null && backlog == null) throw Errno.ENOTCONN.exception();
            }
            if (dontWait || nonBlocking()) throw Errno.EAGAIN.exception();
            t.block(waiters, () -> {
                synchronized (lock) {
                    return !queue.isEmpty() || readShut || peerClosed || (peer != null && peer.writeShutFor(this));
                }
            }, Long.MAX_VALUE);
        }
    }

    private boolean writeShutFor(UnixSocket reader) {
        synchronized (lock) {
            return writeShut;
        }
    }

    private Received take(int max, boolean peek, boolean waitAll) {
        Message m = queue.peek();
        if (type != SOCK_STREAM) {
            int n = Math.min(max, m.remaining());
            byte[] out = Arrays.copyOfRange(m.data, m.offset, m.offset + n);
            List<OpenFile> files = peek ? List.of() : m.files;
            if (!peek) {
                queue.poll();
                queuedBytes -= m.data.length;
                waiters.wakeAll();
            }
            return new Received(out, files, m.creds, m.from, n < m.remaining(), m.data.length);
        }
        // Stream: gather across messages; a message that carries files starts a new read.
        byte[] out = new byte[Math.min(max, queuedBytes)];
        int n = 0;
        List<OpenFile> files = List.of();
        int[] creds = m.creds;
        java.util.Iterator<Message> it = queue.iterator();
        while (it.hasNext() && n < out.length) {
            Message x = it.next();
            if (n > 0 && !x.files.isEmpty()) break;
            int c = Math.min(out.length - n, x.remaining());
            System.arraycopy(x.data, x.offset, out, n, c);
            if (!x.files.isEmpty()) {
                files = x.files;
                if (!peek) x.files = List.of();
            }
            n += c;
            if (!peek) {
                x.offset += c;
                if (x.remaining() == 0) it.remove();
            }
        }
        if (!peek) {
            queuedBytes -= n;
            waiters.wakeAll();
            if (peer != null) peer.waiters.wakeAll(); // its writers and POLLOUT pollers wait there
        }
        return new Received(n == out.length ? out : Arrays.copyOf(out, n), peek ? List.of() : files, creds, m.from, false, n);
    }

    public void shutdown(int how) {
        UnixSocket p;
        synchronized (lock) {
            if (peer == null && type != SOCK_DGRAM) throw Errno.ENOTCONN.exception();
            if (how == 0 || how == 2) readShut = true;
            if (how == 1 || how == 2) writeShut = true;
            p = peer;
            waiters.wakeAll();
        }
        if (p != null) p.waiters.wakeAll();
    }

    private volatile boolean closed;

    private boolean isClosed() { return closed; }

    @Override
    public int read(Task t, byte[] buf, int off, int len) {
        Received r = receive(t, len, false, false, false);
        System.arraycopy(r.data(), 0, buf, off, r.data().length);
        for (OpenFile f : r.files()) f.release(); // read(2) drops passed files
        return r.data().length;
    }

    @Override
    public int write(Task t, byte[] buf, int off, int len) {
        return send(t, Arrays.copyOfRange(buf, off, off + len), List.of(), null, false, false);
    }

    @Override
    public int poll(int mask) {
        int r = 0;
        UnixSocket p;
        boolean rcvShut, sndShut;
        synchronized (lock) {
            p = peer;
            rcvShut = readShut;
            sndShut = writeShut;
            if (!queue.isEmpty() || (backlog != null && !backlog.isEmpty())) r |= POLLIN | POLLRDNORM;
        }
        // A connected stream or seqpacket socket's receive side is also shut when its peer shut
        // down writing, and its send side when its peer shut down reading (unix_shutdown).
        if (p != null && type != SOCK_DGRAM) {
            synchronized (p.lock) {
                rcvShut |= p.writeShut;
                sndShut |= p.readShut;
            }
        }
        synchronized (lock) {
            if (rcvShut || peerClosed) r |= POLLIN | POLLRDNORM | POLLRDHUP;
            if (peerClosed || (rcvShut && sndShut)) r |= POLLHUP;
        }
        if (p != null) {
            synchronized (p.lock) {
                if (CAPACITY - p.queuedBytes > 0 && !writeShut && !p.closed) r |= POLLOUT | POLLWRNORM;
            }
        } else if (type == SOCK_DGRAM) {
            r |= POLLOUT | POLLWRNORM;
        }
        return r & (mask | POLLHUP | POLLERR);
    }

    @Override
    public WaitQueue waitQueue() { return waiters; }

    /** Sleepers on the peer's queue too: a write waits for room there. */
    public WaitQueue peerWaitQueue() {
        synchronized (lock) {
            return peer == null ? null : peer.waiters;
        }
    }

    @Override
    protected void onLastClose() {
        closed = true;
        UnixSocket p;
        List<OpenFile> dropped = new ArrayList<>();
        synchronized (lock) {
            p = peer;
            for (Message m : queue) dropped.addAll(m.files);
            queue.clear();
            if (backlog != null) {
                for (UnixSocket s : backlog) s.release();
                backlog = null;
            }
            waiters.wakeAll();
        }
        if (p != null) {
            synchronized (p.lock) {
                p.peerClosed = true;
                p.waiters.wakeAll();
            }
        }
        dropped.forEach(OpenFile::release);
        Names.unbind(this);
    }
}
