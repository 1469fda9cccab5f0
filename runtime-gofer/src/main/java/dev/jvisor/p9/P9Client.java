package dev.jvisor.p9;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The client end of a 9P2000.L connection, as the Sentry uses it: a blocking call per request,
 * callable from any number of threads at once, with requests in flight concurrently and replies
 * matched by tag on a reader thread.
 *
 * <p>A request that outlives its timeout (or whose thread is interrupted) is flushed: the client
 * sends Tflush and keeps the tag reserved until Rflush, so a late reply is never mistaken for a
 * later request's. Server errors arrive as {@link ErrnoException}s with the server's errno; a
 * broken connection fails every call with ECONNRESET.
 *
 * <p>{@link #donateFd} asks for jVisor's extension, a host descriptor lent with the reply. The
 * reader pairs each Rdonatefd with the next received descriptor; a reply that claims none, a
 * descriptor that no reply claims, or too many at once close the connection, and every
 * descriptor that reaches this process is either handed to the caller that asked or closed.
 */
public final class P9Client implements AutoCloseable {
    /** How long a request may take before it is flushed, unless a call says otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final Transport transport;
    private final TagPool tags;
    private final FidPool fids = new FidPool();
    private final Map<Integer, CompletableFuture<Rmessage>> pending = new ConcurrentHashMap<>();
    private final int msize;
    private final Thread reader;
    private volatile boolean closed;
    /** Whether the transport takes descriptors; if not, {@link #donateFd} is not even tried. */
    private volatile boolean receivesFds;
    /** False once the server answered Twalkgetattr as a message it does not know. */
    private volatile boolean walkGetattrKnown = true;

    private P9Client(Transport transport, int msize, int maxTags) {
        this.transport = transport;
        this.msize = msize;
        this.tags = new TagPool(maxTags);
        this.reader = new Thread(this::readReplies, "p9-client-reader");
        this.reader.setDaemon(true);
    }

    /**
     * Negotiates the version and msize on {@code transport} and starts the reply reader.
     *
     * @throws ErrnoException EPROTONOSUPPORT when the server does not speak 9P2000.L
     */
    public static P9Client connect(Transport transport, int msize) throws ErrnoException {
        if (msize < P9Codec.MIN_MSIZE) {
            throw new ErrnoException(Errno.EINVAL, "Tversion: msize " + msize);
        }
        Rmessage reply = handshake(transport, msize);
        if (!(reply instanceof Rmessage.Version v) || !v.version().equals(Message.VERSION_9P2000_L)) {
            transport.close();
            throw new ErrnoException(Errno.EPROTONOSUPPORT, "Tversion");
        }
        long agreed = Integer.toUnsignedLong(v.msize());
        if (agreed < P9Codec.MIN_MSIZE || agreed > msize) {
            transport.close();
            throw new ErrnoException(Errno.EPROTO, "Tversion: server msize " + agreed);
        }
        P9Client client = new P9Client(transport, (int) agreed, 256);
        client.receivesFds = transport.receiveDescriptors();
        client.reader.start();
        return client;
    }

    private static Rmessage handshake(Transport transport, int msize) throws ErrnoException {
        try {
            transport.writeFrame(P9Codec.encode(Message.NOTAG, new Tmessage.Version(msize, Message.VERSION_9P2000_L)));
            ByteBuffer raw = transport.readFrame(msize);
            if (raw == null) {
                throw new ErrnoException(Errno.ECONNRESET, "Tversion");
            }
            return (Rmessage) P9Codec.decodeReply(raw, msize).message();
        } catch (P9ProtocolException e) {
            transport.close();
            throw new ErrnoException(Errno.EPROTO, "Tversion", e);
        }
    }

    /** The negotiated maximum message size. */
    public int msize() {
        return msize;
    }

    /** The most data one Tread or Twrite can carry. */
    public int iounit() {
        return msize - P9Codec.IO_HEADER_SIZE;
    }

    /** A fid number not in use on this connection; given back by {@link #clunk} and {@link #remove}. */
    public int newFid() {
        return fids.take();
    }

    /** Sends {@code request} and waits for its reply, of type {@code expected}. */
    public <R extends Rmessage> R call(Tmessage request, Class<R> expected) throws ErrnoException {
        return call(request, expected, DEFAULT_TIMEOUT);
    }

    /**
     * Sends {@code request} and waits up to {@code timeout} for its reply.
     *
     * @throws ErrnoException the server's errno for Rlerror; ETIMEDOUT or EINTR when the request
     *                        was flushed; ECONNRESET when the connection is gone; EPROTO when the
     *                        server answered with the wrong type
     */
    public <R extends Rmessage> R call(Tmessage request, Class<R> expected, Duration timeout) throws ErrnoException {
        MessageType type = P9Codec.typeOf(request);
        String op = type.name();
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        int tag = takeTag(op, deadline);
        CompletableFuture<Rmessage> reply = new CompletableFuture<>();
        pending.put(tag, reply);
        boolean tagReleasable = true;
        try {
            send(tag, request, op);
            Rmessage r;
            try {
                r = reply.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                tagReleasable = abandon(tag, reply);
                throw new ErrnoException(Errno.ETIMEDOUT, op);
            } catch (InterruptedException e) {
                tagReleasable = abandon(tag, reply);
                Thread.currentThread().interrupt();
                throw new ErrnoException(Errno.EINTR, op);
            }
            if (P9CallStats.ENABLED) P9CallStats.record(type.code(), System.nanoTime() - started);
            R result = null;
            try {
                result = expect(r, expected, op);
                return result;
            } finally {
                if (result == null) {
                    DonatedFile.discard(r);   // a descriptor nobody asked for
                }
            }
        } catch (ExecutionException e) {
            throw new ErrnoException(Errno.ECONNRESET, op, e.getCause());
        } finally {
            if (tagReleasable) {
                pending.remove(tag);
                tags.give(tag);
            }
        }
    }

    // ---- one method per request, for callers that want types rather than messages ----

    /** Attaches a new fid to tree {@code aname}; returns the fid. */
    public int attach(String uname, String aname, int nUname) throws ErrnoException {
        int fid = newFid();
        try {
            call(new Tmessage.Attach(fid, Message.NOFID, uname, aname, nUname), Rmessage.Attach.class);
            return fid;
        } catch (ErrnoException e) {
            fids.give(fid);
            throw e;
        }
    }

    /** Walks all of {@code names} from {@code fid} to a new fid; ENOENT if the walk stops early. */
    public int walk(int fid, String... names) throws ErrnoException {
        int newFid = newFid();
        try {
            List<Qid> qids = walk(fid, newFid, List.of(names));
            if (qids.size() != names.length) {
                throw new ErrnoException(Errno.ENOENT, "Twalk");
            }
            return newFid;
        } catch (ErrnoException e) {
            fids.give(newFid);
            throw e;
        }
    }

    /** The raw walk: the qids of the names walked (fewer than asked when it stopped early). */
    public List<Qid> walk(int fid, int newFid, List<String> names) throws ErrnoException {
        return call(new Tmessage.Walk(fid, newFid, names), Rmessage.Walk.class).qids();
    }

    /**
     * A fid newly walked to, the attributes of the file it names and, for a symbolic link, its
     * target when the server sent it (else empty: read it with Treadlink). {@code fid} is -1 when
     * the walk asked for {@link Tmessage.WalkGetattr#ONLY_DIRS_AND_FILES} and reached anything
     * else: no fid is held then.
     */
    public record Walked(int fid, Attr attr, String target) {}

    /**
     * Walks all of {@code names} from {@code fid} to a new fid and reads its attributes
     * ({@code mask}): one Twalkgetattr, or Twalk and Tgetattr with a server that does not know it
     * (asked once per connection). ENOENT if the walk stops early; on any error no fid is left.
     * With {@link Tmessage.WalkGetattr#ONLY_DIRS_AND_FILES} in {@code mask}, a fid is kept only for
     * a directory or a regular file (the result's fid is -1 for anything else).
     */
    public Walked walkAndGetattr(int fid, long mask, String... names) throws ErrnoException {
        if (walkGetattrKnown) {
            int newFid = newFid();
            Rmessage.WalkGetattr r;
            try {
                r = walkGetattr(fid, newFid, List.of(names), mask);
            } catch (ErrnoException e) {
                fids.give(newFid);
                if (!isUnknownToServer(e.errno())) {
                    throw e;
                }
                walkGetattrKnown = false;
                return walkAndGetattr(fid, mask, names);
            }
            if (r.attr() == null) {
                fids.give(newFid);
                throw new ErrnoException(Errno.ENOENT, "Twalkgetattr");
            }
            if (!Tmessage.WalkGetattr.keepsFid(mask, r.attr())) {
                fids.give(newFid);   // the server left it free
                return new Walked(-1, r.attr(), r.target());
            }
            return new Walked(newFid, r.attr(), r.target());
        }
        int newFid = walk(fid, names);
        try {
            Attr attr = getattr(newFid, mask & ~Tmessage.WalkGetattr.ONLY_DIRS_AND_FILES);
            if (!Tmessage.WalkGetattr.keepsFid(mask, attr)) {
                clunk(newFid);
                return new Walked(-1, attr, "");
            }
            return new Walked(newFid, attr, "");
        } catch (ErrnoException e) {
            try {
                clunk(newFid);
            } catch (ErrnoException alsoFailed) {
                e.addSuppressed(alsoFailed);
            }
            throw e;
        }
    }

    /**
     * Whether {@code errno} is how a server answers a message type it does not know (ours:
     * EINVAL), so that a caller falls back to plain 9P2000.L.
     */
    public static boolean isUnknownToServer(Errno errno) {
        return errno == Errno.EOPNOTSUPP || errno == Errno.ENOSYS || errno == Errno.EINVAL;
    }

    /**
     * jVisor's extension: walks all of {@code names} from {@code fid} to {@code newFid} and reads the
     * attributes ({@code mask}) of what it reached, in one round trip. The reply's attributes are
     * null when the walk stopped early, which binds no fid.
     *
     * @throws ErrnoException the server's errno; EOPNOTSUPP, ENOSYS or EINVAL from a server that
     *                        does not know the message: walk and getattr apart then
     */
    public Rmessage.WalkGetattr walkGetattr(int fid, int newFid, List<String> names, long mask) throws ErrnoException {
        Rmessage.WalkGetattr r = call(new Tmessage.WalkGetattr(fid, newFid, mask, names), Rmessage.WalkGetattr.class);
        boolean full = r.qids().size() == names.size();
        if (r.qids().size() > names.size() || full != (r.attr() != null)) {
            // More qids than names, attributes for a partial walk or none for a full one.
            throw new ErrnoException(Errno.EPROTO, "Twalkgetattr: " + r.qids().size() + " qids for " + names.size()
                    + " names, attributes " + (r.attr() == null ? "missing" : "present"));
        }
        return r;
    }

    public Rmessage.Lopen lopen(int fid, int flags) throws ErrnoException {
        return call(new Tmessage.Lopen(fid, flags), Rmessage.Lopen.class);
    }

    /** Creates {@code name} in directory {@code fid}, which then names the new, open file. */
    public Rmessage.Lcreate lcreate(int fid, String name, int flags, int mode, int gid) throws ErrnoException {
        return call(new Tmessage.Lcreate(fid, name, flags, mode, gid), Rmessage.Lcreate.class);
    }

    public byte[] read(int fid, long offset, int count) throws ErrnoException {
        return call(new Tmessage.Read(fid, offset, Math.min(count, iounit())), Rmessage.Read.class).data();
    }

    public int write(int fid, long offset, byte[] data) throws ErrnoException {
        if (data.length > iounit()) {
            throw new ErrnoException(Errno.EMSGSIZE, "Twrite");
        }
        return call(new Tmessage.Write(fid, offset, data), Rmessage.Write.class).count();
    }

    public void clunk(int fid) throws ErrnoException {
        try {
            call(new Tmessage.Clunk(fid), Rmessage.Clunk.class);
        } finally {
            fids.give(fid);
        }
    }

    public void remove(int fid) throws ErrnoException {
        try {
            call(new Tmessage.Remove(fid), Rmessage.Remove.class);
        } finally {
            fids.give(fid);
        }
    }

    public Attr getattr(int fid, long mask) throws ErrnoException {
        return call(new Tmessage.Getattr(fid, mask), Rmessage.Getattr.class).attr();
    }

    public void setattr(int fid, SetattrRequest request) throws ErrnoException {
        call(new Tmessage.Setattr(fid, request), Rmessage.Setattr.class);
    }

    public List<DirEntry> readdir(int fid, long offset, int count) throws ErrnoException {
        return call(new Tmessage.Readdir(fid, offset, Math.min(count, iounit())), Rmessage.Readdir.class).entries();
    }

    /**
     * jVisor's extension: Treaddir of the directory {@code fid} names, which need not be open
     * (and is left as it was).
     *
     * @throws ErrnoException the server's errno; EOPNOTSUPP, ENOSYS or EINVAL from a server that
     *                        does not know the message: open a fid and Treaddir then
     */
    public List<DirEntry> listdir(int fid, long offset, int count) throws ErrnoException {
        return call(new Tmessage.Listdir(fid, offset, Math.min(count, iounit())), Rmessage.Listdir.class).entries();
    }

    public Qid mkdir(int dirFid, String name, int mode, int gid) throws ErrnoException {
        return call(new Tmessage.Mkdir(dirFid, name, mode, gid), Rmessage.Mkdir.class).qid();
    }

    public Qid mknod(int dirFid, String name, int mode, int major, int minor, int gid) throws ErrnoException {
        return call(new Tmessage.Mknod(dirFid, name, mode, major, minor, gid), Rmessage.Mknod.class).qid();
    }

    public Qid symlink(int dirFid, String name, String target, int gid) throws ErrnoException {
        return call(new Tmessage.Symlink(dirFid, name, target, gid), Rmessage.Symlink.class).qid();
    }

    public void link(int dirFid, int fid, String name) throws ErrnoException {
        call(new Tmessage.Link(dirFid, fid, name), Rmessage.Link.class);
    }

    public String readlink(int fid) throws ErrnoException {
        return call(new Tmessage.Readlink(fid), Rmessage.Readlink.class).target();
    }

    public void renameat(int oldDirFid, String oldName, int newDirFid, String newName) throws ErrnoException {
        call(new Tmessage.Renameat(oldDirFid, oldName, newDirFid, newName), Rmessage.Renameat.class);
    }

    public void unlinkat(int dirFid, String name, int flags) throws ErrnoException {
        call(new Tmessage.Unlinkat(dirFid, name, flags), Rmessage.Unlinkat.class);
    }

    public StatFs statfs(int fid) throws ErrnoException {
        return call(new Tmessage.Statfs(fid), Rmessage.Statfs.class).statfs();
    }

    public void fsync(int fid, boolean dataOnly) throws ErrnoException {
        call(new Tmessage.Fsync(fid, dataOnly ? 1 : 0), Rmessage.Fsync.class);
    }

    public int lock(int fid, int type, int flags, long start, long length, int procId, String clientId)
            throws ErrnoException {
        return call(new Tmessage.Lock(fid, type, flags, start, length, procId, clientId), Rmessage.Lock.class)
                .status();
    }

    public Rmessage.GetLock getlock(int fid, int type, long start, long length, int procId, String clientId)
            throws ErrnoException {
        return call(new Tmessage.GetLock(fid, type, start, length, procId, clientId), Rmessage.GetLock.class);
    }

    /** Makes {@code newFid} a reader of attribute {@code name}; returns the value's size. */
    public long xattrWalk(int fid, int newFid, String name) throws ErrnoException {
        return call(new Tmessage.XattrWalk(fid, newFid, name), Rmessage.XattrWalk.class).size();
    }

    public void xattrCreate(int fid, String name, long size, int flags) throws ErrnoException {
        call(new Tmessage.XattrCreate(fid, name, size, flags), Rmessage.XattrCreate.class);
    }

    /**
     * jVisor's extension: a read-only host descriptor of the regular file {@code fid} names, for
     * the caller to read and close. The fid stays as it was.
     *
     * @throws ErrnoException EOPNOTSUPP when the transport cannot take descriptors; the server's
     *                        errno (EOPNOTSUPP, ENOSYS, or EINVAL from a server that does not
     *                        know the message) when it will not lend one: read with Tread then
     */
    public DonatedFile donateFd(int fid) throws ErrnoException {
        if (!receivesFds) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "Tdonatefd: transport passes no descriptors");
        }
        Rmessage.DonateFd r = call(new Tmessage.DonateFd(fid), Rmessage.DonateFd.class);
        return new DonatedFile(r.fd(), r.size());
    }

    /**
     * {@link #donateFd(int)}, and {@code fid} is clunked in the same round trip, whatever the
     * outcome (with a transport that cannot take descriptors, by a Tclunk of its own).
     */
    public DonatedFile donateFdAndClunk(int fid) throws ErrnoException {
        if (!receivesFds) {
            clunk(fid);
            throw new ErrnoException(Errno.EOPNOTSUPP, "Tdonatefd: transport passes no descriptors");
        }
        try {
            Rmessage.DonateFd r = call(new Tmessage.DonateFd(fid, Tmessage.DonateFd.RELEASE), Rmessage.DonateFd.class);
            return new DonatedFile(r.fd(), r.size());
        } finally {
            fids.give(fid);
        }
    }

    /** Whether the connection is still usable. */
    public boolean isOpen() {
        return !closed;
    }

    @Override
    public void close() {
        closed = true;
        transport.close();
        failAll();
        if (Thread.currentThread() != reader) {
            try {
                reader.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- internals ----

    private int takeTag(String op, long deadline) throws ErrnoException {
        try {
            int tag = tags.take(Math.max(0, deadline - System.nanoTime()));
            if (tag < 0) {
                throw new ErrnoException(Errno.ETIMEDOUT, op + ": no free tag");
            }
            return tag;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ErrnoException(Errno.EINTR, op);
        }
    }

    private void send(int tag, Tmessage request, String op) throws ErrnoException {
        if (closed) {
            throw new ErrnoException(Errno.ECONNRESET, op);
        }
        ByteBuffer frame;
        try {
            frame = P9Codec.encode(tag, request);
        } catch (P9ProtocolException e) {
            throw new ErrnoException(e.reason() == P9ProtocolException.Reason.TOO_LONG ? Errno.ENAMETOOLONG
                    : Errno.EINVAL, op, e);
        }
        if (frame.remaining() > msize) {
            throw new ErrnoException(Errno.EMSGSIZE, op);
        }
        try {
            transport.writeFrame(frame);
        } catch (ErrnoException e) {
            close();
            throw new ErrnoException(Errno.ECONNRESET, op, e);
        }
    }

    /**
     * Gives up on the request with {@code tag}: its future is failed first, so a reply that comes
     * later finds it done and the reader discards it (closing any descriptor it carries); then
     * the tag is flushed. Returns whether the tag may be reused.
     */
    private boolean abandon(int tag, CompletableFuture<Rmessage> original) {
        if (!original.completeExceptionally(new TimeoutException("abandoned"))) {
            // The reply (or the connection's end) won the race and nobody will read it.
            if (!original.isCompletedExceptionally()) {
                DonatedFile.discard(original.getNow(null));
            }
            return true;
        }
        return flush(tag);
    }

    /**
     * Flushes {@code tag}: sends Tflush on a fresh tag and waits (bounded) for Rflush. Returns
     * whether {@code tag} may be reused; when Rflush never comes the connection is closed.
     */
    private boolean flush(int tag) {
        int flushTag;
        try {
            flushTag = tags.take(TimeUnit.SECONDS.toNanos(5));
        } catch (InterruptedException e) {
            flushTag = -1;
        }
        if (flushTag < 0) {
            close();
            return true;
        }
        CompletableFuture<Rmessage> flushed = new CompletableFuture<>();
        pending.put(flushTag, flushed);
        try {
            send(flushTag, new Tmessage.Flush(tag), "Tflush");
            flushed.get(5, TimeUnit.SECONDS);
            return true;
        } catch (ErrnoException | ExecutionException | TimeoutException e) {
            close();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            return true;
        } finally {
            pending.remove(flushTag);
            tags.give(flushTag);
        }
    }

    private static <R extends Rmessage> R expect(Rmessage r, Class<R> expected, String op) throws ErrnoException {
        if (r instanceof Rmessage.Lerror e) {
            throw new ErrnoException(e.errno(), op);
        }
        if (!expected.isInstance(r)) {
            throw new ErrnoException(Errno.EPROTO, op + ": server replied " + r.getClass().getSimpleName());
        }
        return expected.cast(r);
    }

    private void readReplies() {
        try {
            while (!closed) {
                ByteBuffer raw = transport.readFrame(msize);
                if (raw == null) {
                    break;
                }
                Frame f = P9Codec.decodeReply(raw, msize);
                Rmessage message = (Rmessage) f.message();
                if (message instanceof Rmessage.DonateFd d) {
                    // Claimed before anything else can fail, so that it is never left unowned.
                    message = new Rmessage.DonateFd(d.size(), transport.takeDescriptor());
                }
                CompletableFuture<Rmessage> waiter = pending.get(f.tag());
                if (waiter == null) {
                    DonatedFile.discard(message);
                    break;   // a reply nobody asked for: the server is confused or hostile
                }
                if (!waiter.complete(message)) {
                    DonatedFile.discard(message);   // its caller gave up on it
                }
            }
        } catch (ErrnoException | P9ProtocolException e) {
            // Fall through: the connection is unusable.
        } finally {
            closed = true;
            transport.close();
            failAll();
        }
    }

    private void failAll() {
        for (CompletableFuture<Rmessage> f : pending.values()) {
            f.completeExceptionally(new ErrnoException(Errno.ECONNRESET, "9P connection closed"));
        }
    }
}
