package dev.jvisor.nodeagent.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvisor.api.v1alpha1.SandboxPolicy;
import dev.jvisor.runsc.policy.grpc.GrpcPolicyClient;
import dev.jvisor.runsc.policy.PodIdentity;
import dev.jvisor.runsc.policy.PolicyClient;
import dev.jvisor.runsc.policy.PolicyUnavailableException;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The socket's file-system side: who may connect, what it replaces, what it refuses. */
class PolicySocketServerTest {

    @TempDir
    Path dir;

    /** An API server that cannot be reached. */
    private static final ClusterView UNREACHABLE = new ClusterView() {
        @Override
        public Optional<Pod> pod(String namespace, String name) throws ClusterViewException {
            throw new ClusterViewException("connection refused", null);
        }

        @Override
        public Optional<Map<String, String>> namespaceLabels(String namespace) throws ClusterViewException {
            throw new ClusterViewException("connection refused", null);
        }

        @Override
        public Collection<SandboxPolicy> policies() throws ClusterViewException {
            throw new ClusterViewException("connection refused", null);
        }
    };

    private PolicySocketServer start(Path socket, OptionalInt group) throws PolicySocketException {
        return PolicySocketServer.start(socket, group,
                new SandboxPolicyGrpcService(UNREACHABLE, new SandboxMetrics(), Optional.empty()));
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void theSocketIsRootsAloneByDefaultAndGroupsWhenAGroupIsGiven() throws Exception {
        Path socket = dir.resolve("run/jvisor/policy.sock");
        try (PolicySocketServer server = start(socket, OptionalInt.empty())) {
            assertThat(mode(socket)).isEqualTo("rw-------");
            assertThat(mode(socket.getParent())).isEqualTo("rwxr-xr-x");
            // No staging directory stays behind.
            try (var files = Files.list(socket.getParent())) {
                assertThat(files.map(p -> p.getFileName().toString())).containsExactly("policy.sock");
            }
        }
        assertThat(socket).doesNotExist();
        try (PolicySocketServer server = start(socket, OptionalInt.of(4242))) {
            assertThat(mode(socket)).isEqualTo("rw-rw----");
            assertThat(Files.getAttribute(socket, "unix:gid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(4242);
        }
    }

    @Test
    void aStaleSocketIsReplaced() throws Exception {
        Path socket = dir.resolve("policy.sock");
        // What a killed agent leaves: a socket file nobody listens on.
        try (ServerSocketChannel old = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            old.bind(UnixDomainSocketAddress.of(socket));
        }
        assertThat(socket).exists();
        try (PolicySocketServer server = start(socket, OptionalInt.empty());
             PolicyClient runsc = GrpcPolicyClient.open(socket, Duration.ofSeconds(5))) {
            // The agent answers (UNAVAILABLE: its API server is unreachable), so the new socket serves.
            assertThatThrownBy(() -> runsc.lookup(new PodIdentity("tenant-a", "web-0", "u-1"), "s", Map.of()))
                    .isInstanceOf(PolicyUnavailableException.class)
                    .hasMessageContaining("UNAVAILABLE").hasMessageContaining("connection refused");
        }
    }

    @Test
    void aFileThatIsNotASocketIsNeverReplaced() throws Exception {
        Path socket = dir.resolve("policy.sock");
        Files.writeString(socket, "someone's data");
        assertThatThrownBy(() -> start(socket, OptionalInt.empty()))
                .isInstanceOf(PolicySocketException.class).hasMessageContaining("not a socket");
        assertThat(Files.readString(socket)).isEqualTo("someone's data");
        Path link = dir.resolve("link.sock");
        Files.createSymbolicLink(link, socket);
        assertThatThrownBy(() -> start(link, OptionalInt.empty())).isInstanceOf(PolicySocketException.class);
    }

    @Test
    void aDirectoryOthersCanWriteOrASymlinkedDirectoryIsRefused() throws Exception {
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> start(open.resolve("policy.sock"), OptionalInt.empty()))
                .isInstanceOf(PolicySocketException.class).hasMessageContaining("writable by others");
        Path real = Files.createDirectory(dir.resolve("real"));
        Path linked = Files.createSymbolicLink(dir.resolve("linked"), real);
        assertThatThrownBy(() -> start(linked.resolve("policy.sock"), OptionalInt.empty()))
                .isInstanceOf(PolicySocketException.class).hasMessageContaining("symbolic link");
    }

    @Test
    void anAgentThatIsGoneIsUnavailableToRunsc() throws Exception {
        Path socket = dir.resolve("policy.sock");
        start(socket, OptionalInt.empty()).close();
        try (PolicyClient runsc = GrpcPolicyClient.open(socket, Duration.ofSeconds(2))) {
            assertThatThrownBy(() -> runsc.lookup(new PodIdentity("a", "b", "c"), "s", Map.of()))
                    .isInstanceOf(PolicyUnavailableException.class).hasMessageContaining("UNAVAILABLE");
        }
    }
}
