package dev.jvisor.runsc.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StartChannelTest {
    @TempDir Path dir;
    /** Own threads: the common pool may have a single worker on a small machine, and both sides block. */
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    void startIsConfirmedAndTheSocketIsOwnerOnlyAndGoneAfterClose() throws Exception {
        Path socket = StartChannel.socketIn(dir);
        try (StartChannel channel = StartChannel.listen(dir)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
            CompletableFuture<Void> start = CompletableFuture.runAsync(() -> {
                try {
                    StartChannel.requestStart(dir);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, threads);
            StartChannel.confirm(channel.awaitStart());
            start.get(10, TimeUnit.SECONDS);
        }
        assertThat(socket).doesNotExist();
        assertThat(dir.resolve(StartChannel.SOCKET + ".tmp")).doesNotExist();
    }

    @Test
    void peersThatDoNotAskToStartAreHungUpOn() throws Exception {
        try (StartChannel channel = StartChannel.listen(dir)) {
            CompletableFuture<SocketChannel> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return channel.awaitStart();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, threads);
            for (String junk : new String[] {"stop\n", "x".repeat(1000), ""}) {
                try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    c.connect(UnixDomainSocketAddress.of(StartChannel.socketIn(dir)));
                    c.write(ByteBuffer.wrap(junk.getBytes(StandardCharsets.US_ASCII)));
                    c.shutdownOutput();
                    // Hung up on: end of stream (or a reset, when it left bytes unread), no confirmation.
                    ByteBuffer answer = ByteBuffer.allocate(16);
                    try {
                        while (c.read(answer) > 0) {
                            // drain
                        }
                    } catch (SocketException reset) {
                        // the same hang-up
                    }
                    assertThat(answer.position()).as(junk).isZero();
                }
            }
            assertThat(waiting).isNotDone();
            CompletableFuture<Void> start = CompletableFuture.runAsync(() -> {
                try {
                    StartChannel.requestStart(dir);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, threads);
            StartChannel.confirm(waiting.get(10, TimeUnit.SECONDS));
            start.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void startWithoutAListenerOrWithASilentBootFails() throws Exception {
        assertThatThrownBy(() -> StartChannel.requestStart(dir)).isInstanceOf(IOException.class);
        try (StartChannel channel = StartChannel.listen(dir)) {
            CompletableFuture<Void> hangUp = CompletableFuture.runAsync(() -> {
                try {
                    channel.awaitStart().close(); // a boot that dies before confirming
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, threads);
            assertThatThrownBy(() -> StartChannel.requestStart(dir)).isInstanceOf(IOException.class)
                    .hasMessageContaining("exited before it started");
            hangUp.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSecondListenerIsRefused() throws Exception {
        try (StartChannel first = StartChannel.listen(dir)) {
            assertThatThrownBy(() -> StartChannel.listen(dir)).isInstanceOf(IOException.class).hasMessageContaining("already exists");
        }
    }

    @Test
    void aStateDirectoryTooLongForSockaddrUnStillStarts() throws Exception {
        // <containerd's runtime root>/k8s.io/<64-hex CRI id>
        Path stateDir = Files.createDirectories(dir.resolve("runtime-root-" + "x".repeat(60)).resolve("k8s.io")
                .resolve("0123456789abcdef".repeat(4)));
        Path socket = StartChannel.socketIn(stateDir);
        assertThat(socket.toString().length()).isGreaterThan(107);
        try (StartChannel channel = StartChannel.listen(stateDir)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
            CompletableFuture<Void> start = CompletableFuture.runAsync(() -> {
                try {
                    StartChannel.requestStart(stateDir);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, threads);
            StartChannel.confirm(channel.awaitStart());
            start.get(10, TimeUnit.SECONDS);
        }
        assertThat(socket).doesNotExist();
        // A state directory that is gone: nobody listens, and start says so.
        assertThatThrownBy(() -> StartChannel.requestStart(stateDir.resolve("gone"))).isInstanceOf(IOException.class)
                .hasMessageContaining("cannot reach the sandbox");
    }
}
