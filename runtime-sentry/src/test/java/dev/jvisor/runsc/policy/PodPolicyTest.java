package dev.jvisor.runsc.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvisor.node.v1.SandboxPolicyDecision;
import dev.jvisor.node.v1.SandboxSettings;
import dev.jvisor.runsc.cli.Invocation;
import dev.jvisor.runsc.cli.LogFormat;
import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.runsc.cli.RunscLog;
import dev.jvisor.runsc.config.ConfigOption;
import dev.jvisor.runsc.config.ConfigSource;
import dev.jvisor.runsc.config.FileAccess;
import dev.jvisor.runsc.config.Network;
import dev.jvisor.runsc.config.RunscConfig;
import dev.jvisor.oci.ContainerStatus;
import dev.jvisor.runsc.state.ContainerLock;
import dev.jvisor.runsc.state.ContainerRecord;
import dev.jvisor.runsc.state.StateStore;
import java.time.Instant;
import dev.jvisor.runsc.policy.grpc.GrpcPolicyClient;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** runsc's create-time policy check against a gRPC server on a real unix socket. */
class PodPolicyTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    private static final Map<String, String> POD = Map.of(
            PodIdentity.CONTAINER_TYPE, "sandbox",
            PodIdentity.SANDBOX_NAMESPACE, "tenant-a",
            PodIdentity.SANDBOX_NAME, "web-0",
            PodIdentity.SANDBOX_UID, "0b5f0a52-6d7e-4c2a-9d1e-0d6f8f7b2a11");

    private Invocation invocation(Map<ConfigOption, String> flags) throws Exception {
        Map<ConfigOption, String> all = new HashMap<>(flags);
        all.putIfAbsent(ConfigOption.POLICY_SOCKET, dir.resolve("policy.sock").toString());
        all.putIfAbsent(ConfigOption.POLICY_TIMEOUT_MS, "3000");
        RunscConfig config = RunscConfig.defaults().withFlags(all);
        RunscLog log = new RunscLog(dir.resolve("log.json"), LogFormat.JSON, null, true,
                new PrintStream(stderr, true, StandardCharsets.UTF_8), Clock.systemUTC());
        return new Invocation(dir.resolve("root"), false, config, log, new ByteArrayInputStream(new byte[0]),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(stderr), null);
    }

    private static Map<String, String> pod(String... jvisorAnnotations) {
        Map<String, String> a = new HashMap<>(POD);
        for (int i = 0; i < jvisorAnnotations.length; i += 2) a.put(jvisorAnnotations[i], jvisorAnnotations[i + 1]);
        return a;
    }

    private static SandboxPolicyDecision allow(String network, String fileAccess, String overlay) {
        return SandboxPolicyDecision.newBuilder().setAllowed(true).setPolicy("untrusted").setEnforcement("Enforce")
                .setReason("governed by untrusted")
                .setSettings(SandboxSettings.newBuilder().setPlatform("ptrace").setNetwork(network)
                        .setFileAccess(fileAccess).setRootOverlay(overlay))
                .build();
    }

    @Test
    void withoutAPolicySocketTheNodeSettingsStandAndNothingIsAsked() throws Exception {
        RunscConfig node = RunscConfig.defaults().withFlags(Map.of(ConfigOption.NETWORK, "host"));
        Invocation inv = new Invocation(dir, false, node, new RunscLog(null, LogFormat.TEXT, null, false,
                new PrintStream(stderr), Clock.systemUTC()), null, null, null, null);
        RunscConfig out = PodPolicy.enforce(inv, "c1", pod("jvisor.dev/network", "host"), (s, t) -> {
            throw new AssertionError("no socket configured, yet runsc connected to " + s);
        });
        assertThat(out.network()).isEqualTo(Network.HOST);
        assertThat(out.fileAccess()).isEqualTo(node.fileAccess());
        assertThat(out.overlay()).isEqualTo(node.overlay());
    }

    @Test
    void withoutAPolicySocketAPodsAnnotationsStillTightenAndNeverLoosen() throws Exception {
        RunscConfig node = RunscConfig.defaults().withFlags(Map.of(ConfigOption.NETWORK, "host", ConfigOption.OVERLAY, "false"));
        Invocation inv = new Invocation(dir, false, node, new RunscLog(null, LogFormat.TEXT, null, false,
                new PrintStream(stderr), Clock.systemUTC()), null, null, null, null);
        PodPolicy.Connector none = (s, t) -> {
            throw new AssertionError("no socket configured, yet runsc connected to " + s);
        };
        RunscConfig tightened = PodPolicy.enforce(inv, "c1", pod("jvisor.dev/network", "none", "jvisor.dev/overlay", "true"), none);
        assertThat(tightened.network()).isEqualTo(Network.NONE);
        assertThat(tightened.source(ConfigOption.NETWORK)).isEqualTo(ConfigSource.ANNOTATION);
        assertThat(tightened.overlay()).isTrue();

        RunscConfig strict = RunscConfig.defaults().withFlags(Map.of(ConfigOption.NETWORK, "none"));
        Invocation strictInv = new Invocation(dir, false, strict, new RunscLog(null, LogFormat.TEXT, null, false,
                new PrintStream(stderr), Clock.systemUTC()), null, null, null, null);
        assertThatThrownBy(() -> PodPolicy.enforce(strictInv, "c2", pod("jvisor.dev/network", "host"), none))
                .isInstanceOf(RunscException.class).hasMessageContaining("refusing to create c2")
                .hasMessageContaining("may only tighten");
        assertThatThrownBy(() -> PodPolicy.enforce(strictInv, "c3", pod("jvisor.dev/policy-fail-open", "true"), none))
                .isInstanceOf(RunscException.class).hasMessageContaining("node only");
    }

    @Test
    void allowedPodRunsWithThePolicySettingsAndItsRequestsAreSent() throws Exception {
        Path socket = dir.resolve("policy.sock");
        try (ScriptedAgent agent = new ScriptedAgent(socket, r -> allow("sandbox", "shared", "memory"))) {
            Invocation inv = invocation(Map.of(ConfigOption.NETWORK, "host", ConfigOption.FILE_ACCESS, "shared"));
            RunscConfig out = PodPolicy.enforce(inv, "pause-1", pod("jvisor.dev/network", "sandbox",
                    "jvisor.dev/policy", "untrusted", "other.io/x", "not sent"));
            assertThat(out.network()).isEqualTo(Network.SANDBOX);
            assertThat(out.source(ConfigOption.NETWORK)).isEqualTo(ConfigSource.POLICY);
            assertThat(out.fileAccess()).isEqualTo(FileAccess.SHARED);
            assertThat(out.overlay()).isTrue();

            var request = agent.requests.getFirst();
            assertThat(request.getPod().getNamespace()).isEqualTo("tenant-a");
            assertThat(request.getPod().getName()).isEqualTo("web-0");
            assertThat(request.getPod().getUid()).isEqualTo(POD.get(PodIdentity.SANDBOX_UID));
            assertThat(request.getSandboxId()).isEqualTo("pause-1");
            assertThat(request.getRequested().getNetwork()).isEqualTo("sandbox");
            assertThat(request.getRequested().getAnnotationsMap())
                    .containsEntry("jvisor.dev/policy", "untrusted").doesNotContainKey("other.io/x");
        }
    }

    @Test
    void aRequestLooserThanThePolicyIsOverriddenAndATighterOneKept() throws Exception {
        Path socket = dir.resolve("policy.sock");
        try (ScriptedAgent agent = new ScriptedAgent(socket, r -> allow("sandbox", "exclusive", "memory"))) {
            Invocation inv = invocation(Map.of(ConfigOption.NETWORK, "host", ConfigOption.FILE_ACCESS, "shared",
                    ConfigOption.OVERLAY, "false"));
            // Even an agent that wrongly echoed the pod's loosening requests could not loosen the node's floor,
            // and this one does not: host and shared lose to the policy.
            RunscConfig loosened = PodPolicy.enforce(inv, "p", pod("jvisor.dev/network", "host",
                    "jvisor.dev/file-access", "shared", "jvisor.dev/overlay", "none"));
            assertThat(loosened.network()).isEqualTo(Network.SANDBOX);
            assertThat(loosened.fileAccess()).isEqualTo(FileAccess.EXCLUSIVE);
            assertThat(loosened.overlay()).isTrue();

            RunscConfig tightened = PodPolicy.enforce(inv, "p", pod("jvisor.dev/network", "none"));
            assertThat(tightened.network()).isEqualTo(Network.NONE);
            assertThat(tightened.source(ConfigOption.NETWORK)).isEqualTo(ConfigSource.ANNOTATION);
        }
    }

    @Test
    void theNodeFloorHoldsAgainstALooserPolicy() throws Exception {
        try (ScriptedAgent agent = new ScriptedAgent(dir.resolve("policy.sock"), r -> allow("host", "shared", "none"))) {
            RunscConfig out = PodPolicy.enforce(invocation(Map.of()), "p", pod());
            assertThat(out.network()).isEqualTo(Network.NONE);
            assertThat(out.fileAccess()).isEqualTo(FileAccess.EXCLUSIVE);
            assertThat(out.overlay()).isTrue();
        }
    }

    @Test
    void aDeniedPodIsRefusedWithTheAgentsReason() throws Exception {
        try (ScriptedAgent agent = new ScriptedAgent(dir.resolve("policy.sock"), r -> SandboxPolicyDecision.newBuilder()
                .setAllowed(false).setReason("no SandboxPolicy selects pod tenant-a/web-0").build())) {
            assertThatThrownBy(() -> PodPolicy.enforce(invocation(Map.of()), "p", pod()))
                    .isInstanceOf(RunscException.class)
                    .hasMessageContaining("tenant-a/web-0")
                    .hasMessageContaining("not allowed")
                    .hasMessageContaining("no SandboxPolicy selects");
        }
    }

    @Test
    void anAgentThatRejectsTheRequestDeniesEvenWhenFailingOpen() throws Exception {
        try (ScriptedAgent agent = new ScriptedAgent(dir.resolve("policy.sock"), r -> {
            throw Status.INVALID_ARGUMENT.withDescription("namespace is not a DNS label").asRuntimeException();
        })) {
            Invocation inv = invocation(Map.of(ConfigOption.POLICY_FAIL_OPEN, "true"));
            assertThatThrownBy(() -> PodPolicy.enforce(inv, "p", pod()))
                    .isInstanceOf(RunscException.class)
                    .hasMessageContaining("INVALID_ARGUMENT").hasMessageContaining("not a DNS label");
        }
    }

    @Test
    void noAgentFailsClosedByDefault() throws Exception {
        long start = System.nanoTime();
        assertThatThrownBy(() -> PodPolicy.enforce(invocation(Map.of()), "p", pod()))
                .isInstanceOf(RunscException.class)
                .hasMessageContaining("did not answer")
                .hasMessageContaining("UNAVAILABLE")
                .hasMessageContaining("policy-fail-open is false");
        assertThat(System.nanoTime() - start).isLessThan(3_000_000_000L);
    }

    @Test
    void noAgentWithFailOpenKeepsTheNodeSettingsTightenedByTheRequests() throws Exception {
        Invocation inv = invocation(Map.of(ConfigOption.POLICY_FAIL_OPEN, "true", ConfigOption.NETWORK, "host"));
        RunscConfig out = PodPolicy.enforce(inv, "p", pod("jvisor.dev/network", "sandbox"));
        assertThat(out.network()).isEqualTo(Network.SANDBOX);
        assertThat(Files.readString(dir.resolve("log.json"))).contains("policy-fail-open is true");
    }

    @Test
    void anAgentThatNeverAnswersTimesOut() throws Exception {
        Path socket = dir.resolve("policy.sock");
        // Accepts connections (the kernel does, from the backlog) and never says a word.
        try (ServerSocketChannel silent = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            silent.bind(UnixDomainSocketAddress.of(socket));
            Invocation inv = invocation(Map.of(ConfigOption.POLICY_TIMEOUT_MS, "400"));
            long start = System.nanoTime();
            assertThatThrownBy(() -> PodPolicy.enforce(inv, "p", pod()))
                    .isInstanceOf(RunscException.class)
                    .hasMessageContaining("DEADLINE_EXCEEDED")
                    .hasMessageContaining("policy-fail-open is false");
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(350L, 3_000L);
        }
    }

    @Test
    void aBundleWithoutAPodIdentityIsRefused() throws Exception {
        assertThatThrownBy(() -> PodPolicy.enforce(invocation(Map.of()), "c1",
                Map.of(PodIdentity.SANDBOX_NAMESPACE, "tenant-a")))
                .isInstanceOf(RunscException.class).hasMessageContaining("names no pod");
    }

    @Test
    void aPodsLaterContainersJoinTheCheckedSandboxWithoutAsking() throws Exception {
        Invocation inv = invocation(Map.of());
        StateStore store = new StateStore(inv.root());
        try (ContainerLock lock = store.create(new ContainerRecord("pause-1", dir.toString(), ContainerStatus.CREATED,
                null, Instant.now(), "root", POD))) {
            // the sandbox's state exists, as create leaves it
        }
        Map<String, String> container = pod();
        container.put(PodIdentity.CONTAINER_TYPE, "container");
        container.put(PodIdentity.SANDBOX_ID, "pause-1");
        assertThat(PodPolicy.enforce(inv, "app", container, (s, t) -> {
            throw new AssertionError("asked the agent for a container that joins a sandbox");
        })).isSameAs(inv.config());
    }

    @Test
    void aContainerNamingNoSandboxOfThisNodeIsRefused() throws Exception {
        Invocation inv = invocation(Map.of());
        Map<String, String> container = pod();
        container.put(PodIdentity.CONTAINER_TYPE, "container");
        assertThatThrownBy(() -> PodPolicy.enforce(inv, "app", container))
                .isInstanceOf(RunscException.class).hasMessageContaining("names no sandbox");
        container.put(PodIdentity.SANDBOX_ID, "never-created");
        assertThatThrownBy(() -> PodPolicy.enforce(inv, "app", container))
                .isInstanceOf(RunscException.class).hasMessageContaining("was not created on this node");
        container.put(PodIdentity.SANDBOX_ID, "../../etc");
        assertThatThrownBy(() -> PodPolicy.enforce(inv, "app", container))
                .isInstanceOf(RunscException.class).hasMessageContaining("was not created on this node");
    }

    @Test
    void invalidPolicyValuesRefuseThePod() throws Exception {
        try (ScriptedAgent agent = new ScriptedAgent(dir.resolve("policy.sock"), r -> allow("wide-open", "exclusive", "memory"))) {
            assertThatThrownBy(() -> PodPolicy.enforce(invocation(Map.of()), "p", pod()))
                    .isInstanceOf(RunscException.class).hasMessageContaining("wide-open");
        }
    }

    @Test
    void oversizedAnnotationsAreNotSentRaw() {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i < 500; i++) a.put("jvisor.dev/k" + i, "v".repeat(10_000));
        a.put("jvisor.dev/network", "none");
        var requested = GrpcPolicyClient.requested(a);
        assertThat(requested.getNetwork()).isEqualTo("none");
        assertThat(requested.getAnnotationsCount()).isLessThanOrEqualTo(GrpcPolicyClient.MAX_RAW_ANNOTATIONS);
        assertThat(requested.getSerializedSize()).isLessThan(40_000);
    }
}
