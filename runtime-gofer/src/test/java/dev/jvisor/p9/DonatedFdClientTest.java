package dev.jvisor.p9;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The client's side of Tdonatefd against a scripted peer on a real socketpair: a descriptor that
 * comes with its Rdonatefd reaches the caller, and every way a peer can get the pairing wrong
 * (no descriptor, one nobody asked for, two, hundreds, a reply of the wrong type) is a clear
 * error that leaves no descriptor behind in this process.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DonatedFdClientTest {
    private static final int MSIZE = 8192;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private long fdsBefore;

    @BeforeEach
    void countDescriptors() throws IOException {
        fdsBefore = openDescriptors();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** The scripted server end, with the client connected to it. */
    private record Peer(FdTransport server, P9Client client) {
        Frame nextRequest() throws Exception {
            return P9Codec.decodeRequest(server.readFrame(MSIZE), MSIZE);
        }

        void reply(int tag, Rmessage m, int... fds) throws Exception {
            server.writeFrame(P9Codec.encode(tag, m), fds);
        }
    }

    private Peer connect() throws Exception {
        FdTransport[] pair = FdTransport.socketPair();
        CompletableFuture<P9Client> client = CompletableFuture.supplyAsync(() -> {
            try {
                return P9Client.connect(pair[1], MSIZE);
            } catch (ErrnoException e) {
                throw new IllegalStateException(e);
            }
        });
        Frame version = P9Codec.decodeRequest(pair[0].readFrame(MSIZE), MSIZE);
        pair[0].writeFrame(P9Codec.encode(version.tag(), new Rmessage.Version(MSIZE, Message.VERSION_9P2000_L)));
        Peer p = new Peer(pair[0], client.get(10, TimeUnit.SECONDS));
        toClose.add(pair[0]);
        toClose.add(p.client());
        return p;
    }

    /** Descriptors to send: both ends of a fresh socketpair, closed again by the test. */
    private int[] throwaway(int n) throws ErrnoException {
        int[] fds = new int[n];
        for (int i = 0; i < n; i += 2) {
            int[] pair = Native.socketPair();
            fds[i] = pair[0];
            if (i + 1 < n) {
                fds[i + 1] = pair[1];
            } else {
                Native.close(pair[1]);
            }
        }
        toClose.add(() -> {
            for (int fd : fds) {
                Native.close(fd);
            }
        });
        return fds;
    }

    private CompletableFuture<DonatedFile> askAsync(P9Client c, int fid) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return c.donateFd(fid);
            } catch (ErrnoException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static Errno errnoOf(CompletableFuture<?> f) {
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
        return ((ErrnoException) f.handle((v, t) -> t.getCause().getCause()).join()).errno();
    }

    private static void awaitClosed(P9Client c) throws InterruptedException {
        for (int i = 0; i < 500 && c.isOpen(); i++) {
            Thread.sleep(10);
        }
        assertThat(c.isOpen()).as("connection closed").isFalse();
    }

    /** After the peer and client are gone, this process holds exactly what it held before. */
    private void assertNoDescriptorLeft() throws Exception {
        cleanUp();
        toClose.clear();
        assertThat(openDescriptors()).isEqualTo(fdsBefore);
    }

    @Test
    void theDescriptorSentWithRdonatefdReachesTheCallerWhoReadsTheFile(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        // A real file to lend (a socket cannot be pread), opened once first so that what the JVM
        // keeps after its first FileChannel is in the baseline.
        Path file = dir.resolve("f");
        Files.write(file, "hello, donated".getBytes());
        java.nio.channels.FileChannel.open(file).close();
        fdsBefore = openDescriptors();
        Peer p = connect();
        CompletableFuture<DonatedFile> asked = askAsync(p.client(), 7);
        Frame request = p.nextRequest();
        assertThat(request.message()).isEqualTo(new Tmessage.DonateFd(7));
        try (var ch = java.nio.channels.FileChannel.open(file)) {
            int fd = descriptorOf(file);
            p.reply(request.tag(), new Rmessage.DonateFd(14, -1), fd);
        }
        try (DonatedFile lent = asked.get(10, TimeUnit.SECONDS); Arena arena = Arena.ofConfined()) {
            assertThat(lent.size()).isEqualTo(14);
            MemorySegment dst = arena.allocate(32);
            assertThat(lent.readFully(dst, 0)).isEqualTo(14);
            assertThat(new String(dst.asSlice(0, 14).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)))
                    .isEqualTo("hello, donated");
            assertThat(lent.readFully(dst.asSlice(0, 4), 7)).isEqualTo(4);
        }
        assertThat(p.client().isOpen()).isTrue();
        assertNoDescriptorLeft();
    }

    /** The descriptor number the JVM holds for {@code file}, opened just now by a FileChannel. */
    private static int descriptorOf(Path file) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).equals(file)) {
                        return Integer.parseInt(fd.getFileName().toString());
                    }
                } catch (IOException gone) {
                    // the listing's own descriptor
                }
            }
        }
        throw new AssertionError("no descriptor for " + file);
    }

    @Test
    void anRdonatefdWithoutDescriptorFailsTheCallAndTheConnection() throws Exception {
        Peer p = connect();
        CompletableFuture<DonatedFile> asked = askAsync(p.client(), 1);
        p.reply(p.nextRequest().tag(), new Rmessage.DonateFd(10, -1));
        assertThat(errnoOf(asked)).isEqualTo(Errno.ECONNRESET);
        awaitClosed(p.client());
        assertNoDescriptorLeft();
    }

    @Test
    void aDescriptorWithAReplyThatCarriesNoneIsClosedAndBreaksTheConnection() throws Exception {
        Peer p = connect();
        CompletableFuture<Void> clunk = CompletableFuture.runAsync(() -> {
            try {
                p.client().clunk(3);
            } catch (ErrnoException e) {
                throw new IllegalStateException(e);
            }
        });
        p.reply(p.nextRequest().tag(), new Rmessage.Clunk(), throwaway(1));
        clunk.get(10, TimeUnit.SECONDS);   // the reply itself was good
        awaitClosed(p.client());
        assertThatThrownBy(() -> p.client().getattr(1, Attr.GETATTR_BASIC)).isInstanceOf(ErrnoException.class);
        assertNoDescriptorLeft();
    }

    @Test
    void twoDescriptorsForOneReplyLeaveNeitherBehind() throws Exception {
        Peer p = connect();
        CompletableFuture<DonatedFile> asked = askAsync(p.client(), 1);
        p.reply(p.nextRequest().tag(), new Rmessage.DonateFd(0, -1), throwaway(2));
        try {
            asked.get(10, TimeUnit.SECONDS).close();   // the first may reach the caller, who closes it
        } catch (java.util.concurrent.ExecutionException e) {
            // or the connection broke first: either way a clear error follows
        }
        awaitClosed(p.client());
        assertNoDescriptorLeft();
    }

    @Test
    void hundredsOfDescriptorsAtOnceAreAllClosed() throws Exception {
        Peer p = connect();
        CompletableFuture<DonatedFile> asked = askAsync(p.client(), 1);
        p.reply(p.nextRequest().tag(), new Rmessage.DonateFd(0, -1), throwaway(200));
        assertThat(errnoOf(asked)).isEqualTo(Errno.ECONNRESET);
        awaitClosed(p.client());
        assertNoDescriptorLeft();
    }

    @Test
    void anRdonatefdForAnotherRequestIsAnErrorAndItsDescriptorIsClosed() throws Exception {
        Peer p = connect();
        CompletableFuture<Attr> attr = CompletableFuture.supplyAsync(() -> {
            try {
                return p.client().getattr(1, Attr.GETATTR_BASIC);
            } catch (ErrnoException e) {
                throw new IllegalStateException(e);
            }
        });
        p.reply(p.nextRequest().tag(), new Rmessage.DonateFd(0, -1), throwaway(1));
        assertThat(errnoOf(attr)).isEqualTo(Errno.EPROTO);
        assertThat(p.client().isOpen()).as("the pairing itself held").isTrue();
        assertNoDescriptorLeft();
    }

    @Test
    void aDescriptorThatComesAfterItsCallerGaveUpIsClosed() throws Exception {
        Peer p = connect();
        CompletableFuture<Rmessage.DonateFd> asked = CompletableFuture.supplyAsync(() -> {
            try {
                return p.client().call(new Tmessage.DonateFd(1), Rmessage.DonateFd.class, java.time.Duration.ofMillis(200));
            } catch (ErrnoException e) {
                throw new IllegalStateException(e);
            }
        });
        Frame request = p.nextRequest();
        Frame flush = p.nextRequest();   // the caller timed out and flushes
        assertThat(flush.message()).isEqualTo(new Tmessage.Flush(request.tag()));
        p.reply(request.tag(), new Rmessage.DonateFd(0, -1), throwaway(1));   // too late
        p.reply(flush.tag(), new Rmessage.Flush());
        assertThat(errnoOf(asked)).isEqualTo(Errno.ETIMEDOUT);
        assertThat(p.client().isOpen()).isTrue();
        assertNoDescriptorLeft();
    }

    @Test
    void aServerThatDoesNotLendAnswersRlerrorAndTheConnectionGoesOn() throws Exception {
        Peer p = connect();
        CompletableFuture<DonatedFile> asked = askAsync(p.client(), 1);
        p.reply(p.nextRequest().tag(), new Rmessage.Lerror(Errno.ENOSYS));
        assertThat(errnoOf(asked)).isEqualTo(Errno.ENOSYS);
        CompletableFuture<Void> clunk = CompletableFuture.runAsync(() -> {
            try {
                p.client().clunk(3);
            } catch (ErrnoException e) {
                throw new IllegalStateException(e);
            }
        });
        p.reply(p.nextRequest().tag(), new Rmessage.Clunk());
        clunk.get(10, TimeUnit.SECONDS);
        assertNoDescriptorLeft();
    }

    @Test
    void jvisorsOwnServerWithoutDonationAnswersEopnotsupp() throws Exception {
        FdTransport[] pair = FdTransport.socketPair();
        P9Server server = new P9Server(pair[0], new MemoryTree(), P9Server.Limits.defaults());
        server.start("donate-test-server");
        toClose.add(server);
        P9Client c = P9Client.connect(pair[1], MSIZE);
        toClose.add(c);
        int root = c.attach("u", "/", 0);
        assertThatThrownBy(() -> c.donateFd(root)).isInstanceOf(ErrnoException.class)
                .extracting(e -> ((ErrnoException) e).errno()).isEqualTo(Errno.EOPNOTSUPP);
        assertThat(c.getattr(root, Attr.GETATTR_BASIC)).isNotNull();
        assertNoDescriptorLeft();
    }
}
