package dev.jvisor.kindtests.cri;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The client against sockets that are not a CRI server: a typed error naming the call, within the deadline, never a hang. */
class CriClientTest {
    private static final Duration DEADLINE = Duration.ofSeconds(5);

    @Test
    void noServerIsUnavailable() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "cri");
        try (CriClient cri = CriClient.connect(dir.resolve("absent.sock"), DEADLINE)) {
            assertThatThrownBy(cri::version).isInstanceOfSatisfying(CriCallException.class, e -> {
                assertThat(e.method()).isEqualTo("Version");
                assertThat(e.status().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            });
        } finally {
            Files.delete(dir);
        }
    }

    @Test
    void aServerThatSpeaksGarbageFailsTheCallInTime() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "cri");
        Path socket = dir.resolve("garbage.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread answerer = Thread.ofPlatform().daemon().start(() -> {
                while (server.isOpen()) {
                    try (SocketChannel peer = server.accept()) {
                        peer.write(ByteBuffer.wrap("HTTP/1.0 200 OK\r\n\r\nnot gRPC at all".getBytes(StandardCharsets.US_ASCII)));
                    } catch (java.io.IOException e) {
                        return; // server closed
                    }
                }
            });
            try (CriClient cri = CriClient.connect(socket, DEADLINE)) {
                long start = System.nanoTime();
                assertThatThrownBy(cri::status).isInstanceOfSatisfying(CriCallException.class, e -> {
                    assertThat(e.method()).isEqualTo("Status");
                    assertThat(e.status().getCode()).isIn(Status.Code.UNAVAILABLE, Status.Code.INTERNAL, Status.Code.UNKNOWN,
                            Status.Code.DEADLINE_EXCEEDED);
                });
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(DEADLINE.plusSeconds(5));
            }
            server.close();
            answerer.join(TimeUnit.SECONDS.toMillis(5));
        } finally {
            Files.deleteIfExists(socket);
            Files.delete(dir);
        }
    }
}
