package dev.jvisor.p9;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves one 9P2000.L connection: reads requests on the calling thread, carries them out on a
 * fixed pool of workers (so a slow request does not hold up others, and Tflush has something to
 * flush), and writes each reply as it completes. A metadata lookup arriving while nothing else
 * is in flight is answered on the reading thread itself, which is what a path walk mostly sends.
 *
 * <p>Hostile input costs the peer, not the server: a frame whose header is impossible closes the
 * connection; a frame that is malformed after its header gets {@code Rlerror(EINVAL)}; a tag
 * reused while in flight closes the connection (replies could no longer be matched). Memory is
 * bounded by {@code maxInFlight} frames of at most msize bytes.
 */
public final class P9Server implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(P9Server.class.getName());

    /**
     * @param maxMsize    the largest message size offered in Rversion
     * @param workers     threads carrying out requests
     * @param maxInFlight requests read but not yet answered; the reader waits beyond this
     * @param maxFids     fids one connection may hold (each may hold host descriptors); beyond
     *                    it, requests that would bind another fail with EMFILE
     */
    public record Limits(int maxMsize, int workers, int maxInFlight, int maxFids) {
        public Limits {
            if (maxMsize < P9Codec.MIN_MSIZE || workers < 1 || maxInFlight < 1 || maxFids < 1) {
                throw new IllegalArgumentException(
                        "bad limits " + maxMsize + "/" + workers + "/" + maxInFlight + "/" + maxFids);
            }
        }

        /** 1 MiB + header messages, four workers, 64 requests in flight, 16384 fids. */
        public static Limits defaults() {
            return new Limits((1 << 20) + P9Codec.IO_HEADER_SIZE, 4, 64, 16384);
        }
    }

    private final Transport transport;
    private final FileServer fileServer;
    private final Limits limits;
    private final FidTable fids;
    private final ExecutorService workers;
    private final Semaphore inFlightPermits;
    /** Tags in flight → tags of Tflush requests waiting for them; guarded by itself. */
    private final Map<Integer, List<Integer>> inFlight = new HashMap<>();
    private volatile int msize;
    private volatile RequestDispatcher dispatcher;

    public P9Server(Transport transport, FileServer fileServer, Limits limits) {
        this.transport = transport;
        this.fileServer = fileServer;
        this.limits = limits;
        this.fids = new FidTable(limits.maxFids());
        this.msize = limits.maxMsize();
        this.inFlightPermits = new Semaphore(limits.maxInFlight());
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(limits.workers(), limits.workers(), 0, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "p9-worker-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        ((ThreadPoolExecutor) workers).prestartAllCoreThreads();
    }

    /**
     * Serves until the peer closes the connection or breaks the protocol beyond repair, then
     * releases every fid and returns. Never throws for anything the peer sends.
     */
    public void serve() {
        try {
            while (readAndDispatchOne()) {
                // next frame
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            close();
        }
    }

    /** Starts {@link #serve()} on a new thread. */
    public Thread start(String name) {
        Thread t = new Thread(this::serve, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Number of fids the peer holds (for tests and diagnostics). */
    public int fidCount() {
        return fids.size();
    }

    @Override
    public void close() {
        transport.close();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
        fids.clunkAll();
    }

    private boolean readAndDispatchOne() throws InterruptedException {
        ByteBuffer raw;
        try {
            raw = transport.readFrame(msize);
        } catch (ErrnoException | P9ProtocolException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing 9P connection: {0}", e.getMessage());
            return false;
        }
        if (raw == null) {
            return false;
        }
        Frame frame;
        try {
            frame = P9Codec.decodeRequest(raw, msize);
        } catch (P9ProtocolException e) {
            return answerMalformed(e);
        }
        int tag = frame.tag();
        Tmessage request = (Tmessage) frame.message();
        if (request instanceof Tmessage.Version v) {
            return negotiate(tag, v);
        }
        if (dispatcher == null) {
            return reply(tag, new Rmessage.Lerror(Errno.EPROTO));
        }
        if (request instanceof Tmessage.Flush f) {
            return flush(tag, f.oldTag());
        }
        RequestDispatcher d = dispatcher;
        if (isQuick(request)) {
            boolean idle;
            synchronized (inFlight) {
                idle = inFlight.isEmpty();
                if (idle) {
                    inFlight.put(tag, new ArrayList<>());
                }
            }
            if (idle) {
                // Nothing else in flight: answer on this thread and save two thread hand-offs.
                complete(tag, d.dispatch(request), false);
                return true;
            }
        }
        inFlightPermits.acquire();
        synchronized (inFlight) {
            if (inFlight.putIfAbsent(tag, new ArrayList<>()) != null) {
                inFlightPermits.release();
                LOG.log(System.Logger.Level.DEBUG, "closing 9P connection: tag {0} reused in flight", tag);
                return false;
            }
        }
        workers.execute(() -> complete(tag, d.dispatch(request), true));
        return true;
    }

    /**
     * Requests that only look up metadata, list a bounded piece of a directory, drop a fid or lend
     * a descriptor (opened O_NONBLOCK, regular files only): cheap enough to answer on the reader
     * thread when nothing else is in flight, which saves the hand-off to a worker and back. Anything
     * that moves file data or could wait on another process (Tread of a pipe, Tlopen of a FIFO, a
     * lock) always goes to a worker, so the reader stays free to take a Tflush.
     */
    private static boolean isQuick(Tmessage request) {
        return request instanceof Tmessage.Walk || request instanceof Tmessage.WalkGetattr
                || request instanceof Tmessage.Getattr
                || request instanceof Tmessage.Clunk || request instanceof Tmessage.Readlink
                || request instanceof Tmessage.Statfs || request instanceof Tmessage.Attach
                || request instanceof Tmessage.Readdir || request instanceof Tmessage.Listdir
                || request instanceof Tmessage.DonateFd;
    }

    /** A frame with a readable header but a bad body: Rlerror if its tag is free, else close. */
    private boolean answerMalformed(P9ProtocolException e) {
        LOG.log(System.Logger.Level.DEBUG, "malformed 9P frame: {0}", e.getMessage());
        if (e.tag() == P9ProtocolException.NO_TAG) {
            return false;
        }
        synchronized (inFlight) {
            if (inFlight.containsKey(e.tag())) {
                return false;
            }
        }
        return reply(e.tag(), new Rmessage.Lerror(Errno.EINVAL));
    }

    /** Tversion: waits for requests in flight, drops all fids, and agrees on msize. */
    private boolean negotiate(int tag, Tmessage.Version v) throws InterruptedException {
        inFlightPermits.acquire(limits.maxInFlight());
        try {
            fids.clunkAll();
            long offered = Integer.toUnsignedLong(v.msize());
            if (offered < P9Codec.MIN_MSIZE) {
                dispatcher = null;   // the old session is gone either way
                return reply(tag, new Rmessage.Lerror(Errno.EINVAL));
            }
            if (!v.version().startsWith(Message.VERSION_9P2000_L)) {
                dispatcher = null;
                return reply(tag, new Rmessage.Version(limits.maxMsize(), "unknown"));
            }
            int agreed = (int) Math.min(offered, limits.maxMsize());
            // Answer with the old msize in force: the peer learns the new one from this reply.
            boolean ok = reply(tag, new Rmessage.Version(agreed, Message.VERSION_9P2000_L));
            msize = agreed;
            dispatcher = new RequestDispatcher(fileServer, fids, agreed);
            return ok;
        } finally {
            inFlightPermits.release(limits.maxInFlight());
        }
    }

    /** Tflush: answered now if oldtag is not in flight, else right after oldtag's reply. */
    private boolean flush(int tag, int oldTag) {
        synchronized (inFlight) {
            List<Integer> waiting = inFlight.get(oldTag);
            if (waiting != null && oldTag != tag) {
                waiting.add(tag);
                return true;
            }
            return reply(tag, new Rmessage.Flush());
        }
    }

    /**
     * Sends a worker's reply. The tag leaves the in-flight set and the reply is written under one
     * lock, so a Tflush either sees the tag in flight (and is answered after the reply) or not
     * at all (and its Rflush follows the reply already written), and the peer can reuse the tag
     * as soon as it has the reply.
     */
    private void complete(int tag, Rmessage response, boolean holdsPermit) {
        try {
            synchronized (inFlight) {
                List<Integer> flushes = inFlight.remove(tag);
                reply(tag, response);
                if (flushes != null) {
                    for (int flushTag : flushes) {
                        reply(flushTag, new Rmessage.Flush());
                    }
                }
            }
        } finally {
            if (holdsPermit) {
                inFlightPermits.release();
            }
        }
    }

    /**
     * Writes one reply; false (and the connection closed) when it cannot be sent. An Rdonatefd
     * goes out with its descriptor, which is closed here whether or not it could be sent: the
     * client has its own copy, and this process must not collect host descriptors.
     */
    private boolean reply(int tag, Rmessage response) {
        try {
            if (response instanceof Rmessage.DonateFd d) {
                try {
                    transport.writeFrame(P9Codec.encode(tag, response), d.fd());
                } catch (ErrnoException e) {
                    if (e.errno() != Errno.EOPNOTSUPP) {
                        throw e;
                    }
                    // A transport that cannot pass descriptors wrote nothing: say so instead.
                    return reply(tag, new Rmessage.Lerror(Errno.EOPNOTSUPP));
                } finally {
                    DonatedFile.discard(d);
                }
                return true;
            }
            transport.writeFrame(P9Codec.encode(tag, response));
            return true;
        } catch (P9ProtocolException e) {
            // A reply the file server made too big to encode (e.g. a huge readlink): say EIO.
            LOG.log(System.Logger.Level.WARNING, "unencodable reply: {0}", e.getMessage());
            return reply(tag, new Rmessage.Lerror(Errno.EIO));
        } catch (ErrnoException e) {
            transport.close();
            return false;
        }
    }
}
