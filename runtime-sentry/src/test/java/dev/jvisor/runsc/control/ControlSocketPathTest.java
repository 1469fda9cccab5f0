package dev.jvisor.runsc.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.oci.json.JsonString;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control socket of a state directory as containerd lays it out for a CRI container
 * ({@code <Root>/k8s.io/<64-hex id>}), too long for {@code sockaddr_un}: served, reached,
 * owner-only, and removed on close.
 */
class ControlSocketPathTest {
    @TempDir Path tmp;

    private Path longStateDir() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("runtime-root-" + "x".repeat(60)).resolve("k8s.io")
                .resolve("0123456789abcdef".repeat(4)));
        assertThat(ControlProtocol.socketIn(dir).toString().length()).isGreaterThan(107);
        return dir;
    }

    /** Answers each request with the container it named. */
    private static final ControlHandler ECHO = (request, conn) -> {
        conn.write(ControlProtocol.ok(JsonObject.builder().put("seen", request.body().get("container")).build()));
        return false;
    };

    @Test
    void aSandboxInALongStateDirectoryIsServedAndReached() throws Exception {
        Path dir = longStateDir();
        Path socket = ControlProtocol.socketIn(dir);
        try (ControlServer server = ControlServer.start(dir, ECHO, new PrintStream(OutputStream.nullOutputStream()))) {
            assertThat(server.path()).isEqualTo(socket);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
            assertThat(dir.resolve(ControlProtocol.SOCKET + ".tmp")).doesNotExist();
            try (ControlClient client = ControlClient.connect(dir)) {
                JsonObject ok = client.call(ControlProtocol.request(ControlProtocol.PS).put("container", "c1").build());
                assertThat(ok.get("seen")).isEqualTo(new JsonString("c1"));
            }
        }
        assertThat(socket).doesNotExist();
    }

    @Test
    void nobodyListeningInALongStateDirectoryIsAClearError() throws Exception {
        Path dir = longStateDir();
        assertThatThrownBy(() -> ControlClient.connect(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("cannot reach the sandbox at " + ControlProtocol.socketIn(dir));
        Path gone = dir.resolve("deleted");
        assertThatThrownBy(() -> ControlClient.connect(gone)).isInstanceOf(IOException.class)
                .hasMessageContaining("cannot reach the sandbox");
    }
}
