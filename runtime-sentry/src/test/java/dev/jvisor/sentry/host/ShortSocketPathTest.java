package dev.jvisor.sentry.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Socket files in directories too deep for {@code sockaddr_un}: bound and connected through the
 * directory's fd, created in the real directory, and no fd left open afterwards.
 */
class ShortSocketPathTest {
    @TempDir Path tmp;

    /** A directory whose path alone is longer than {@code sun_path}. */
    private Path deepDirectory() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("r".repeat(100)).resolve("c".repeat(64)));
        assertThat(dir.toString().length()).isGreaterThan(160);
        return dir;
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void aPathThatFitsIsUsedAsItIsWithoutAnFd() {
        Path socket = tmp.resolve("control.sock");
        try (ShortSocketPath name = ShortSocketPath.of(socket)) {
            assertThat(name.address()).isEqualTo(socket.toString());
            assertThat(name.throughDirectoryFd()).isFalse();
        }
    }

    @Test
    void theLimitIsSunPathLessItsNul() {
        assertThat(ShortSocketPath.fits("/" + "a".repeat(106))).isTrue();
        assertThat(ShortSocketPath.fits("/" + "a".repeat(107))).isFalse();
        // sun_path counts bytes, not characters
        assertThat(ShortSocketPath.fits("/" + "é".repeat(54))).isFalse();
    }

    @Test
    void aLongPathIsBoundAndConnectedThroughTheDirectoryFd() throws Exception {
        Path dir = deepDirectory();
        Path socket = dir.resolve("control.sock");
        long fdsBefore = openFds();
        int listener;
        try (ShortSocketPath name = ShortSocketPath.of(socket)) {
            assertThat(name.throughDirectoryFd()).isTrue();
            assertThat(name.address()).matches("/proc/self/fd/\\d+/control\\.sock").hasSizeLessThan(108);
            listener = UnixSockets.listen(name.address());
        }
        int client = -1, served = -1;
        try {
            // The socket file lives in the real directory, where the state's owner looks for it.
            assertThat(Files.getAttribute(socket, "unix:mode")).matches(m -> ((Integer) m & 0170000) == 0140000);
            try (ShortSocketPath name = ShortSocketPath.of(socket)) {
                client = UnixSockets.connect(name.address());
            }
            served = UnixSockets.accept(listener);
            UnixSockets.send(client, "hello".getBytes(StandardCharsets.US_ASCII), new int[0]);
            byte[] got = new byte[16];
            UnixSockets.Received r = UnixSockets.receive(served, got, 0, got.length);
            assertThat(new String(got, 0, r.bytes(), StandardCharsets.US_ASCII)).isEqualTo("hello");
        } finally {
            UnixSockets.closeQuietly(client);
            UnixSockets.closeQuietly(served);
            UnixSockets.closeQuietly(listener);
        }
        assertThat(openFds()).isEqualTo(fdsBefore);
    }

    @Test
    void theJdksUnixChannelsAcceptTheShortName() throws Exception {
        Path socket = deepDirectory().resolve("start.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            try (ShortSocketPath name = ShortSocketPath.of(socket)) {
                server.bind(UnixDomainSocketAddress.of(name.address()));
            }
            assertThat(socket).exists();
            SocketChannel client;
            try (ShortSocketPath name = ShortSocketPath.of(socket)) {
                client = SocketChannel.open(UnixDomainSocketAddress.of(name.address()));
            }
            try (client; SocketChannel peer = server.accept()) {
                client.write(ByteBuffer.wrap(new byte[] {42}));
                ByteBuffer b = ByteBuffer.allocate(1);
                peer.read(b);
                assertThat(b.get(0)).isEqualTo((byte) 42);
            }
        }
    }

    @Test
    void aMissingDirectoryIsATypedErrorAndNothingIsConnected() throws IOException {
        Path socket = deepDirectory().resolve("gone").resolve("control.sock");
        assertThatThrownBy(() -> ShortSocketPath.of(socket)).isInstanceOf(HostException.class)
                .satisfies(e -> assertThat(((HostException) e).errno()).isEqualTo(2 /* ENOENT */));
    }

    @Test
    void aDirectoryThatIsAFileIsRefused() throws IOException {
        Path file = Files.writeString(deepDirectory().resolve("plain"), "not a directory");
        assertThatThrownBy(() -> ShortSocketPath.of(file.resolve("control.sock"))).isInstanceOf(HostException.class)
                .satisfies(e -> assertThat(((HostException) e).errno()).isEqualTo(20 /* ENOTDIR */));
    }

    @Test
    void aNameTooLongEvenThroughTheFdIsATypedErrorWithoutAnFdLeft() throws IOException {
        Path socket = deepDirectory().resolve("n".repeat(100));
        long fdsBefore = openFds();
        assertThatThrownBy(() -> ShortSocketPath.of(socket)).isInstanceOf(HostException.class)
                .hasMessageContaining("ENAMETOOLONG");
        assertThat(openFds()).isEqualTo(fdsBefore);
    }

    @Test
    void nothingIsConnectedWhereNobodyListens() throws IOException {
        Path socket = deepDirectory().resolve("control.sock");
        try (ShortSocketPath name = ShortSocketPath.of(socket)) {
            assertThatThrownBy(() -> UnixSockets.connect(name.address())).isInstanceOf(HostException.class)
                    .satisfies(e -> assertThat(((HostException) e).errno()).isEqualTo(2 /* ENOENT */));
        }
    }
}
