package dev.jvisor.runsc.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.sentry.host.Host;
import dev.jvisor.sentry.host.UnixSockets;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control protocol's framing over real host sockets: whole frames with fds beside them,
 * and every malformed frame refused with BAD_FRAME (or its own code) without leaking an fd.
 */
class ControlConnectionTest {
    @TempDir Path dir;
    private int listener = -1;
    private ControlConnection client;
    private ControlConnection server;
    private NativeTransport serverTransport;

    @BeforeEach
    void connect() {
        listener = UnixSockets.listen(dir.resolve("s").toString());
        int c = UnixSockets.connect(dir.resolve("s").toString());
        serverTransport = new NativeTransport(UnixSockets.accept(listener));
        client = new ControlConnection(new NativeTransport(c));
        server = new ControlConnection(serverTransport);
    }

    @AfterEach
    void close() {
        client.close();
        server.close();
        UnixSockets.closeQuietly(listener);
    }

    private static Transport rawTransportOf(ControlConnection c) throws Exception {
        var f = ControlConnection.class.getDeclaredField("transport");
        f.setAccessible(true);
        return (Transport) f.get(c);
    }

    private static byte[] frame(String json) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + b.length).putInt(b.length).put(b).array();
    }

    @Test
    void aFrameArrivesWholeWithItsFdsAndThePeerIsKnown() throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "through the socket");
        int[] pipe = Host.pipe2(02000000);
        try {
            client.write(ControlProtocol.request("ps").put("container", "c").build(), pipe[0], pipe[1]);
            ControlConnection.Frame f = server.read();
            assertThat(f.body().get("op").toString()).contains("ps");
            assertThat(f.fds()).hasSize(2);
            // The received fds are new descriptions of the same pipe: what goes in one comes out the other.
            byte[] msg = "hi".getBytes(StandardCharsets.US_ASCII);
            Host.writeFully(f.fds()[1], msg, 0, 2);
            try (var arena = java.lang.foreign.Arena.ofConfined()) {
                var buf = arena.allocate(2);
                assertThat(Host.read(pipe[0], buf, 2)).isEqualTo(2);
            }
            ControlConnection.closeAll(f.fds());
            UnixSockets.PeerCredentials peer = UnixSockets.peerCredentials(serverTransport.fd());
            assertThat((long) peer.pid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(peer.uid()).isEqualTo(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
            assertThat(file).exists();
        } finally {
            Host.close(pipe[0]);
            Host.close(pipe[1]);
        }
    }

    @Test
    void anEndInsideAFrameIsABadFrame() throws Exception {
        rawTransportOf(client).write(new byte[] {0, 0, 0, 9, '{'}, new int[0]);
        client.close();
        assertThatThrownBy(server::read).isInstanceOf(ControlException.class)
                .satisfies(e -> assertThat(((ControlException) e).code()).isEqualTo(ControlException.Code.BAD_FRAME));
    }

    @Test
    void endOfStreamBeforeAnyByteIsNotAnError() throws Exception {
        client.close();
        assertThat(server.read()).isNull();
    }

    @Test
    void malformedFramesAreRefusedWithTheirCodes() throws Exception {
        Object[][] cases = {
                {new byte[] {0, 0, 0, 0}, ControlException.Code.BAD_FRAME},
                {new byte[] {(byte) 0x80, 0, 0, 0}, ControlException.Code.BAD_FRAME},
                {new byte[] {0, 0x20, 0, 1}, ControlException.Code.BAD_FRAME},
                {frame("not json"), ControlException.Code.BAD_FRAME},
                {frame("\"a string\""), ControlException.Code.BAD_FRAME},
                {frame("{\"op\":\"ps\"}"), ControlException.Code.BAD_FRAME},
                {frame("{\"v\":\"1\",\"op\":\"ps\"}"), ControlException.Code.BAD_FRAME},
                {frame("{\"v\":7,\"op\":\"ps\"}"), ControlException.Code.UNSUPPORTED_VERSION},
                {new byte[] {0, 0, 0, 2, (byte) 0xc3, (byte) 0x28}, ControlException.Code.BAD_FRAME},
        };
        for (Object[] c : cases) {
            NativeTransport ct = new NativeTransport(UnixSockets.connect(dir.resolve("s").toString()));
            ControlConnection a = new ControlConnection(ct);
            ControlConnection b = new ControlConnection(new NativeTransport(UnixSockets.accept(listener)));
            try {
                ct.write((byte[]) c[0], new int[0]);
                ControlConnection reader = b;
                assertThatThrownBy(reader::read).as(new String((byte[]) c[0], StandardCharsets.ISO_8859_1))
                        .isInstanceOf(ControlException.class)
                        .satisfies(e -> assertThat(((ControlException) e).code()).isEqualTo(c[1]));
            } finally {
                a.close();
                b.close();
            }
        }
    }

    @Test
    void membersAreCheckedStrictly() {
        JsonObject o = ControlProtocol.request("signal").put("container", "c").put("signal", 99).put("extra", true).build();
        assertThatThrownBy(() -> ControlProtocol.onlyMembers(o, java.util.Set.of("container", "signal")))
                .hasMessageContaining("unexpected member \"extra\"");
        assertThatThrownBy(() -> ControlProtocol.integer(o, "signal", 0, 64)).hasMessageContaining("between 0 and 64");
        assertThatThrownBy(() -> ControlProtocol.string(o, "signal")).hasMessageContaining("must be a string");
        JsonObject nul = ControlProtocol.request("exec").put("container", "a\0b").build();
        assertThatThrownBy(() -> ControlProtocol.string(nul, "container")).hasMessageContaining("without NUL");
        JsonObject empty = ControlProtocol.request("exec").put("argv", new dev.jvisor.oci.json.JsonArray(java.util.List.of())).build();
        assertThatThrownBy(() -> ControlProtocol.strings(empty, "argv", true)).hasMessageContaining("non-empty");
    }

    @Test
    void aSocketPathTooLongForSockaddrUnIsATypedError() {
        String longPath = dir.resolve("x".repeat(120)).toString();
        assertThatThrownBy(() -> UnixSockets.listen(longPath)).isInstanceOf(dev.jvisor.sentry.host.HostException.class)
                .hasMessageContaining("ENAMETOOLONG");
    }
}
