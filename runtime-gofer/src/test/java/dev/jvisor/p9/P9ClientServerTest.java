package dev.jvisor.p9;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Client and server on a real socketpair: negotiation, concurrency, flush, and protocol abuse. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class P9ClientServerTest {
    private final MemoryTree tree = new MemoryTree();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        tree.releaseSlowReads();
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    private FdTransport serve(P9Server.Limits limits) throws ErrnoException {
        FdTransport[] pair = FdTransport.socketPair();
        P9Server server = new P9Server(pair[0], tree, limits);
        server.start("test-9p-server");
        toClose.add(server);
        toClose.add(pair[1]);
        return pair[1];
    }

    private P9Client client(int msize) throws ErrnoException {
        P9Client c = P9Client.connect(serve(P9Server.Limits.defaults()), msize);
        toClose.add(c);
        return c;
    }



    @Test
    void negotiatesTheSmallerMsize() throws Exception {
        assertThat(client(8192).msize()).isEqualTo(8192);
        P9Client c = P9Client.connect(serve(new P9Server.Limits(16384, 2, 8, 100)), 1 << 20);
        toClose.add(c);
        assertThat(c.msize()).isEqualTo(16384);
        assertThat(c.iounit()).isEqualTo(16384 - P9Codec.IO_HEADER_SIZE);
    }

    @Test
    void manyThreadsShareOneConnection() throws Exception {
        P9Client c = client(65536);
        int root = c.attach("u", "/", 0);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        int f = c.walk(root, "data");
                        c.lopen(f, 0);
                        int off = i % MemoryTree.DATA.length;
                        byte[] got = c.read(f, off, 4);
                        assertThat(got[0]).isEqualTo(MemoryTree.DATA[off]);
                        assertThat(c.getattr(f, Attr.GETATTR_BASIC).size()).isEqualTo(MemoryTree.DATA.length);
                        c.clunk(f);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aSlowRequestDoesNotHoldUpOthers() throws Exception {
        P9Client c = client(65536);
        int root = c.attach("u", "/", 0);
        int slow = c.walk(root, "slow");
        c.lopen(slow, 0);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<byte[]> pending = pool.submit(() -> c.read(slow, 0, 4));
            assertThat(tree.slowReadStarted.await(10, TimeUnit.SECONDS)).isTrue();
            // With the slow read in flight, other requests still complete.
            int f = c.walk(root, "data");
            c.lopen(f, 0);
            assertThat(c.read(f, 0, 4)).containsExactly('0', '1', '2', '3');
            assertThat(pending.isDone()).isFalse();
            tree.releaseSlowReads();
            assertThat(pending.get(10, TimeUnit.SECONDS)).containsExactly('0', '1', '2', '3');
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aTimedOutRequestIsFlushedAndTheConnectionStaysUsable() throws Exception {
        P9Client c = client(65536);
        int root = c.attach("u", "/", 0);
        int slow = c.walk(root, "slow");
        c.lopen(slow, 0);
        ExecutorService releaser = Executors.newSingleThreadExecutor();
        try {
            // Let the slow read finish only after the client has timed out and sent Tflush.
            releaser.submit(() -> {
                tree.slowReadStarted.await();
                Thread.sleep(400);
                tree.releaseSlowReads();
                return null;
            });
            assertThat(Errnos.of(() -> c.call(new Tmessage.Read(slow, 0, 4), Rmessage.Read.class, Duration.ofMillis(200))))
                    .isEqualTo(Errno.ETIMEDOUT);
            assertThat(tree.events).contains("slow read done");
            assertThat(c.isOpen()).isTrue();
            int data = c.walk(root, "data");
            c.lopen(data, 0);
            assertThat(c.read(data, 0, 1)).containsExactly('0');
        } finally {
            releaser.shutdownNow();
        }
    }

    @Test
    void aClunkWaitsForRequestsUsingTheFid() throws Exception {
        P9Client c = client(65536);
        int root = c.attach("u", "/", 0);
        int slow = c.walk(root, "slow");
        c.lopen(slow, 0);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<byte[]> pending = pool.submit(() -> c.read(slow, 0, 4));
            assertThat(tree.slowReadStarted.await(10, TimeUnit.SECONDS)).isTrue();
            c.call(new Tmessage.Clunk(slow), Rmessage.Clunk.class);
            assertThat(tree.events).doesNotContain("close slow");
            tree.releaseSlowReads();
            pending.get(10, TimeUnit.SECONDS);
            // The node closes only once the read that was using it is done.
            List<String> events = List.copyOf(tree.events);
            assertThat(events.indexOf("slow read done")).isLessThan(events.indexOf("close slow"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void serverGoingAwayFailsPendingCallsInsteadOfHanging() throws Exception {
        FdTransport[] pair = FdTransport.socketPair();
        P9Server server = new P9Server(pair[0], tree, P9Server.Limits.defaults());
        server.start("doomed-server");
        P9Client c = P9Client.connect(pair[1], 65536);
        toClose.add(c);
        int root = c.attach("u", "/", 0);
        int slow = c.walk(root, "slow");
        c.lopen(slow, 0);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Errno> pending = pool.submit(() -> Errnos.of(() -> c.read(slow, 0, 4)));
            assertThat(tree.slowReadStarted.await(10, TimeUnit.SECONDS)).isTrue();
            pair[0].close();
            assertThat(pending.get(10, TimeUnit.SECONDS)).isEqualTo(Errno.ECONNRESET);
            assertThat(Errnos.of(() -> c.walk(root, "data"))).isEqualTo(Errno.ECONNRESET);
        } finally {
            tree.releaseSlowReads();
            server.close();
            pool.shutdownNow();
        }
    }

    /** Plays a server by hand: answers Tversion, then whatever {@code misbehave} sends. */
    private P9Client clientOfRawServer(FdTransport[] pair, java.util.function.Consumer<FdTransport> misbehave)
            throws Exception {
        toClose.add(pair[0]);
        Thread fake = new Thread(() -> {
            try {
                ByteBuffer version = pair[0].readFrame(1 << 20);
                Frame f = P9Codec.decodeRequest(version, 1 << 20);
                pair[0].writeFrame(P9Codec.encode(f.tag(), new Rmessage.Version(8192, "9P2000.L")));
                misbehave.accept(pair[0]);
            } catch (Exception e) {
                pair[0].close();
            }
        });
        fake.start();
        P9Client c = P9Client.connect(pair[1], 8192);
        toClose.add(c);
        return c;
    }

    @Test
    void aServerSendingGarbageCannotHangTheClient() throws Exception {
        FdTransport[] pair = FdTransport.socketPair();
        P9Client c = clientOfRawServer(pair, t -> {
            try {
                t.readFrame(1 << 20);   // the client's request
                t.writeFrame(ByteBuffer.wrap(new byte[] {9, 0, 0, 0, 7, 0, 0, 1, 2}));   // Rlerror, short
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        assertThat(Errnos.of(() -> c.attach("u", "/", 0))).isEqualTo(Errno.ECONNRESET);
        assertThat(c.isOpen()).isFalse();
    }

    @Test
    void aReplyToNoRequestEndsTheConnection() throws Exception {
        FdTransport[] pair = FdTransport.socketPair();
        P9Client c = clientOfRawServer(pair, t -> {
            try {
                Frame req = P9Codec.decodeRequest(t.readFrame(1 << 20), 1 << 20);
                t.writeFrame(P9Codec.encode(req.tag() + 1, new Rmessage.Clunk()));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        assertThat(Errnos.of(() -> c.attach("u", "/", 0))).isEqualTo(Errno.ECONNRESET);
    }

    @Test
    void aWrongReplyTypeIsAProtocolError() throws Exception {
        FdTransport[] pair = FdTransport.socketPair();
        P9Client c = clientOfRawServer(pair, t -> {
            try {
                Frame req = P9Codec.decodeRequest(t.readFrame(1 << 20), 1 << 20);
                t.writeFrame(P9Codec.encode(req.tag(), new Rmessage.Clunk()));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        assertThat(Errnos.of(() -> c.attach("u", "/", 0))).isEqualTo(Errno.EPROTO);
    }

    // ---- raw protocol abuse ----

    private static Frame exchange(FdTransport t, int tag, Tmessage m) throws Exception {
        t.writeFrame(P9Codec.encode(tag, m));
        ByteBuffer raw = t.readFrame(1 << 21);
        return raw == null ? null : P9Codec.decodeReply(raw, 1 << 21);
    }

    @Test
    void requestsBeforeVersionAreRefused() throws Exception {
        FdTransport t = serve(P9Server.Limits.defaults());
        Frame f = exchange(t, 1, new Tmessage.Attach(1, Message.NOFID, "u", "/", 0));
        assertThat(f.message()).isEqualTo(new Rmessage.Lerror(Errno.EPROTO));
        assertThat(exchange(t, Message.NOTAG, new Tmessage.Version(8192, "9P2000.u")).message())
                .isEqualTo(new Rmessage.Version(P9Server.Limits.defaults().maxMsize(), "unknown"));
        assertThat(exchange(t, Message.NOTAG, new Tmessage.Version(100, "9P2000.L")).message())
                .isEqualTo(new Rmessage.Lerror(Errno.EINVAL));
        assertThat(exchange(t, Message.NOTAG, new Tmessage.Version(8192, "9P2000.L")).message())
                .isEqualTo(new Rmessage.Version(8192, "9P2000.L"));
    }

    @Test
    void reusingATagInFlightClosesTheConnection() throws Exception {
        FdTransport t = serve(P9Server.Limits.defaults());
        exchange(t, Message.NOTAG, new Tmessage.Version(8192, "9P2000.L"));
        exchange(t, 1, new Tmessage.Attach(1, Message.NOFID, "u", "/", 0));
        exchange(t, 2, new Tmessage.Walk(1, 2, List.of("slow")));
        exchange(t, 3, new Tmessage.Lopen(2, 0));
        t.writeFrame(P9Codec.encode(7, new Tmessage.Read(2, 0, 4)));
        assertThat(tree.slowReadStarted.await(10, TimeUnit.SECONDS)).isTrue();
        t.writeFrame(P9Codec.encode(7, new Tmessage.Getattr(1, Attr.GETATTR_BASIC)));
        // The read is still blocked, so tag 7 is in flight: the stream ends with no reply at all.
        assertThat(t.readFrame(1 << 21)).isNull();
        tree.releaseSlowReads();
    }

    @Test
    void flushOfAnIdleTagIsAnsweredAtOnceAndFlushAfterReplyOrder() throws Exception {
        FdTransport t = serve(P9Server.Limits.defaults());
        exchange(t, Message.NOTAG, new Tmessage.Version(8192, "9P2000.L"));
        assertThat(exchange(t, 5, new Tmessage.Flush(99)).message()).isEqualTo(new Rmessage.Flush());
        exchange(t, 1, new Tmessage.Attach(1, Message.NOFID, "u", "/", 0));
        exchange(t, 2, new Tmessage.Walk(1, 2, List.of("slow")));
        exchange(t, 3, new Tmessage.Lopen(2, 0));
        t.writeFrame(P9Codec.encode(10, new Tmessage.Read(2, 0, 4)));
        assertThat(tree.slowReadStarted.await(10, TimeUnit.SECONDS)).isTrue();
        t.writeFrame(P9Codec.encode(11, new Tmessage.Flush(10)));
        tree.releaseSlowReads();
        Frame first = P9Codec.decodeReply(t.readFrame(1 << 21), 1 << 21);
        Frame second = P9Codec.decodeReply(t.readFrame(1 << 21), 1 << 21);
        // The flushed request's reply (if sent) always precedes Rflush.
        assertThat(first.tag()).isEqualTo(10);
        assertThat(second).isEqualTo(new Frame(11, new Rmessage.Flush()));
    }

    @Test
    void aConnectionCannotHoldMoreFidsThanItsLimit() throws Exception {
        P9Client c = P9Client.connect(serve(new P9Server.Limits(8192, 1, 4, 10)), 8192);
        toClose.add(c);
        int root = c.attach("u", "/", 0);
        for (int i = 0; i < 9; i++) {
            c.walk(root, "data");
        }
        assertThat(Errnos.of(() -> c.walk(root, "data"))).isEqualTo(Errno.EMFILE);
        assertThat(Errnos.of(() -> c.attach("u", "/", 0))).isEqualTo(Errno.EMFILE);
    }

    @Test
    void rebindingAFidReleasesItsOldNodeAtOnce() throws Exception {
        P9Client c = client(8192);
        int root = c.attach("u", "/", 0);
        int f = c.walk(root);
        for (int i = 0; i < 100; i++) {
            c.walk(f, f, List.of());
        }
        // Each walk of a fid onto itself replaced its node; none may pile up until the clunk.
        assertThat(tree.events.stream().filter(e -> e.equals("close /"))).hasSize(100);
    }

    @Test
    void unknownAttachNameAndBadFidsAreErrors() throws Exception {
        P9Client c = client(8192);
        assertThat(Errnos.of(() -> c.attach("u", "/nope", 0))).isEqualTo(Errno.ENOENT);
        int root = c.attach("u", "/", 0);
        assertThat(Errnos.of(() -> c.call(new Tmessage.Attach(root, Message.NOFID, "u", "/", 0), Rmessage.Attach.class)))
                .isEqualTo(Errno.EBADF);
        assertThat(Errnos.of(() -> c.getattr(12345, Attr.GETATTR_BASIC))).isEqualTo(Errno.EBADF);
        assertThat(Errnos.of(() -> c.call(new Tmessage.Walk(root, root + 1000, List.of("missing")), Rmessage.Walk.class)))
                .isEqualTo(Errno.ENOENT);
        int data = c.walk(root, "data");
        assertThat(Errnos.of(() -> c.call(new Tmessage.Walk(root, data, List.of("data")), Rmessage.Walk.class)))
                .isEqualTo(Errno.EBADF);
        assertThat(Errnos.of(() -> c.walk(root, "data", "x"))).isEqualTo(Errno.ENOENT);
        assertThat(Errnos.of(() -> c.write(root, 0, new byte[c.iounit() + 1]))).isEqualTo(Errno.EMSGSIZE);
        assertThat(Errnos.of(() -> c.mkdir(root, "d", 0755, 0))).isEqualTo(Errno.EOPNOTSUPP);
    }
}
