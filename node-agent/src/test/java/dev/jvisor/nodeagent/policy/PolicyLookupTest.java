package dev.jvisor.nodeagent.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvisor.node.v1.GetSandboxPolicyRequest;
import dev.jvisor.node.v1.RequestedSettings;
import dev.jvisor.node.v1.SandboxPolicyServiceGrpc;
import dev.jvisor.nodeagent.AgentSettings;
import dev.jvisor.nodeagent.NodeAgentMain;
import dev.jvisor.nodeagent.status.AgentStatus;
import dev.jvisor.runsc.cli.Invocation;
import dev.jvisor.runsc.cli.LogFormat;
import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.runsc.cli.RunscLog;
import dev.jvisor.runsc.config.ConfigOption;
import dev.jvisor.runsc.config.Network;
import dev.jvisor.runsc.config.RunscConfig;
import dev.jvisor.runsc.policy.grpc.GrpcPolicyClient;
import dev.jvisor.runsc.policy.PodIdentity;
import dev.jvisor.runsc.policy.PodPolicy;
import dev.jvisor.runsc.policy.PolicyClient;
import dev.jvisor.runsc.policy.PolicyDecision;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GetSandboxPolicy end to end: the agent's service on a real unix socket, answering from
 * SandboxPolicies in the API (CRUD mock), asked by runsc's own client.
 */
// One API server, agent and client for the class: the mock API server is slow to start on a busy machine.
@EnableKubernetesMockClient(crud = true)
class PolicyLookupTest {

    static KubernetesClient client;

    @TempDir
    static Path dir;

    private static PolicyCluster cluster;
    private static KubernetesClusterView view;
    private static PolicySocketServer server;
    private static PolicyClient runsc;
    private static SandboxMetrics metrics;

    @BeforeAll
    static void serve() throws Exception {
        cluster = PolicyCluster.create(client);
        view = PolicyCluster.syncedView(client);
    }

    @BeforeEach
    void freshServer() throws Exception {
        metrics = new SandboxMetrics();
        server = PolicySocketServer.start(dir.resolve("run/policy.sock"), OptionalInt.empty(),
                new SandboxPolicyGrpcService(view, metrics, Optional.empty()));
        runsc = GrpcPolicyClient.open(server.socket(), Duration.ofSeconds(5));
    }

    @AfterEach
    void stopServer() {
        runsc.close();
        server.close();
    }

    @AfterAll
    static void stop() {
        view.close();
    }

    private PolicyDecision ask(String namespace, String name, String uid, String... annotations) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i < annotations.length; i += 2) a.put(annotations[i], annotations[i + 1]);
        return runsc.lookup(new PodIdentity(namespace, name, uid), "sandbox-1", a);
    }

    @Test
    void aPodAnUntrustedNamespaceHoldsGetsThePolicySettings() throws Exception {
        PolicyDecision d = ask("tenant-a", "web-0", cluster.webUid);
        assertThat(d.allowed()).isTrue();
        assertThat(d.policy()).isEqualTo("untrusted");
        assertThat(d.enforcement()).isEqualTo("Enforce");
        assertThat(d.network()).contains("sandbox");
        assertThat(d.fileAccess()).contains("exclusive");
        assertThat(d.rootOverlay()).contains("memory");
        assertThat(d.syscallDeny()).containsExactly("ptrace", "keyctl");
        assertThat(d.tracePoints()).containsExactly("exec");
        assertThat(d.overridden()).isEmpty();
        assertThat(metrics.prometheus()).contains("jvisor_node_agent_policy_decisions_total{result=\"allowed\"} 1");
    }

    @Test
    void theHigherPriorityPolicyWinsForThePodsItSelects() throws Exception {
        PolicyDecision d = ask("tenant-a", "db-0", cluster.dbUid);
        assertThat(d.allowed()).isTrue();
        assertThat(d.policy()).isEqualTo("databases");
        assertThat(d.network()).contains("none");
    }

    @Test
    void anUnknownPodIsDenied() throws Exception {
        PolicyDecision d = ask("tenant-a", "ghost", cluster.webUid);
        assertThat(d.allowed()).isFalse();
        assertThat(d.reason()).contains("unknown pod tenant-a/ghost");
        assertThat(d.network()).isEmpty();
    }

    @Test
    void aPodOfTheSameNameButAnotherUidIsDenied() throws Exception {
        PolicyDecision d = ask("tenant-a", "web-0", "00000000-0000-0000-0000-000000000000");
        assertThat(d.allowed()).isFalse();
        assertThat(d.reason()).contains("has uid " + cluster.webUid);
    }

    @Test
    void aPodNoPolicyGovernsIsDenied() throws Exception {
        PolicyDecision d = ask("plain", "app-0", cluster.plainUid);
        assertThat(d.allowed()).isFalse();
        assertThat(d.reason()).contains("no SandboxPolicy governs pod plain/app-0");
        assertThat(metrics.prometheus()).contains("jvisor_node_agent_policy_decisions_total{result=\"denied\"} 1");
    }

    @Test
    void aPolicyBeingDeletedGovernsNothing() throws Exception {
        var policies = client.resources(dev.jvisor.api.v1alpha1.SandboxPolicy.class);
        var untrusted = policies.withName("untrusted").get();
        policies.withName("untrusted").delete();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (view.policies().size() > 1 && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(ask("tenant-a", "web-0", cluster.webUid).allowed()).isFalse();
        } finally {
            untrusted.getMetadata().setResourceVersion(null);
            untrusted.getMetadata().setUid(null);
            policies.resource(untrusted).create();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (view.policies().size() < 2 && System.nanoTime() < deadline) Thread.sleep(20);
        }
    }

    @Test
    void annotationsThatLoosenNetworkOrFileAccessAreOverridden() throws Exception {
        PolicyDecision d = ask("tenant-a", "web-0", cluster.webUid,
                "jvisor.dev/network", "host", "jvisor.dev/file-access", "shared", "jvisor.dev/overlay", "none");
        assertThat(d.allowed()).isTrue();
        assertThat(d.network()).contains("sandbox");
        assertThat(d.fileAccess()).contains("exclusive");
        assertThat(d.rootOverlay()).contains("memory");
        assertThat(d.overridden()).containsExactly("jvisor.dev/network=host", "jvisor.dev/file-access=shared",
                "jvisor.dev/overlay=none");
    }

    @Test
    void theAgentsOwnHandlerProbeIsAdmittedOnlyWhileItRuns() throws Exception {
        String uid = "4d3c2b1a-0000-4000-8000-00000000beef";
        try (var probe = dev.jvisor.nodeagent.cri.HandlerProbe.probeInFlight(uid)) {
            PolicyDecision d = ask(dev.jvisor.nodeagent.cri.HandlerProbe.PROBE_NAMESPACE,
                    dev.jvisor.nodeagent.cri.HandlerProbe.PROBE_NAME, uid, "jvisor.dev/network", "host");
            assertThat(d.allowed()).isTrue();
            assertThat(d.network()).contains("none");
        }
        assertThat(ask(dev.jvisor.nodeagent.cri.HandlerProbe.PROBE_NAMESPACE,
                dev.jvisor.nodeagent.cri.HandlerProbe.PROBE_NAME, uid).allowed()).isFalse();
    }

    @Test
    void annotationsThatTightenAreKept() throws Exception {
        PolicyDecision d = ask("tenant-a", "web-0", cluster.webUid, "jvisor.dev/network", "none");
        assertThat(d.network()).contains("none");
        assertThat(d.overridden()).isEmpty();
    }

    @Test
    void runscCreatesAnAllowedPodWithThePolicysSettingsAndRefusesOthers() throws Exception {
        RunscConfig node = RunscConfig.defaults().withFlags(Map.of(ConfigOption.NETWORK, "host",
                ConfigOption.POLICY_SOCKET, server.socket().toString()));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Invocation inv = new Invocation(dir, false, node, new RunscLog(dir.resolve("log.json"), LogFormat.JSON, null,
                false, new PrintStream(err), Clock.systemUTC()), null, null, new PrintStream(err), null);
        Map<String, String> web = Map.of(PodIdentity.CONTAINER_TYPE, "sandbox",
                PodIdentity.SANDBOX_NAMESPACE, "tenant-a", PodIdentity.SANDBOX_NAME, "web-0",
                PodIdentity.SANDBOX_UID, cluster.webUid, "jvisor.dev/network", "host");
        assertThat(PodPolicy.enforce(inv, "pause-web", web).network()).isEqualTo(Network.SANDBOX);

        Map<String, String> plain = Map.of(PodIdentity.CONTAINER_TYPE, "sandbox",
                PodIdentity.SANDBOX_NAMESPACE, "plain", PodIdentity.SANDBOX_NAME, "app-0",
                PodIdentity.SANDBOX_UID, cluster.plainUid);
        assertThatThrownBy(() -> PodPolicy.enforce(inv, "pause-plain", plain))
                .isInstanceOf(RunscException.class)
                .hasMessageContaining("plain/app-0").hasMessageContaining("no SandboxPolicy governs");
    }

    @Test
    void malformedIdentitiesAndValuesAreInvalidArgumentsAndDenyThePod() throws Exception {
        PolicyDecision badNamespace = ask("Tenant_A", "web-0", cluster.webUid);
        assertThat(badNamespace.allowed()).isFalse();
        assertThat(badNamespace.reason()).contains("INVALID_ARGUMENT").contains("not a Kubernetes namespace name");
        assertThat(ask("tenant-a", "web-0", "uid with spaces\n").reason()).contains("not a Kubernetes uid");
        assertThat(ask("tenant-a", "web-0", cluster.webUid, "jvisor.dev/network", "wide-open").reason())
                .contains("requested network \"wide-open\"");
        assertThat(metrics.prometheus()).contains("jvisor_node_agent_policy_decisions_total{result=\"invalid\"} 3");
    }

    @Test
    void anOversizedRequestIsRefusedAndTheServiceGoesOn() throws Exception {
        EpollEventLoopGroup group = new EpollEventLoopGroup(1);
        ManagedChannel channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(server.socket().toString()))
                .eventLoopGroup(group).channelType(EpollDomainSocketChannel.class).usePlaintext().build();
        try {
            GetSandboxPolicyRequest huge = GetSandboxPolicyRequest.newBuilder()
                    .setPod(dev.jvisor.node.v1.PodIdentity.newBuilder().setNamespace("tenant-a").setName("web-0")
                            .setUid(cluster.webUid))
                    .setRequested(RequestedSettings.newBuilder().putAnnotations("jvisor.dev/x", "y".repeat(200_000)))
                    .build();
            assertThatThrownBy(() -> SandboxPolicyServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(5, TimeUnit.SECONDS).getSandboxPolicy(huge))
                    .isInstanceOf(StatusRuntimeException.class)
                    .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode())
                            .isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
            GetSandboxPolicyRequest manyAnnotations = huge.toBuilder().setRequested(RequestedSettings.newBuilder()
                    .putAllAnnotations(numbered(100))).build();
            assertThatThrownBy(() -> SandboxPolicyServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(5, TimeUnit.SECONDS).getSandboxPolicy(manyAnnotations))
                    .hasMessageContaining("INVALID_ARGUMENT");
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        assertThat(ask("tenant-a", "web-0", cluster.webUid).allowed()).isTrue();
    }

    @Test
    void theDaemonsServiceExportsItsCountersOnTheAgentsMetrics() throws Exception {
        AgentStatus status = new AgentStatus("0.1.0", "jvisor");
        Path socket = dir.resolve("daemon/policy.sock");
        try (PolicyService service = PolicyService.start(client, "node-1", socket, OptionalInt.empty(), status);
             PolicyClient daemonClient = GrpcPolicyClient.open(socket, Duration.ofSeconds(5))) {
            PolicyDecision d = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (d == null) {
                try {
                    d = daemonClient.lookup(new PodIdentity("tenant-a", "web-0", cluster.webUid), "s", Map.of());
                } catch (dev.jvisor.runsc.policy.PolicyUnavailableException e) {
                    // Its own informer has not listed the policies yet.
                    assertThat(e.getMessage()).contains("has not been read");
                    if (System.nanoTime() > deadline) throw e;
                    Thread.sleep(50);
                }
            }
            assertThat(d.allowed()).isTrue();
            assertThat(status.metrics()).contains("jvisor_node_agent_policy_decisions_total{result=\"allowed\"} 1")
                    .contains("jvisor_node_agent_installs_total 0");
        }
        assertThat(socket).doesNotExist();
    }

    @Test
    void onlyTheRunModeTellsRunscToAskTheAgent() throws Exception {
        Path host = Files.createDirectories(dir.resolve("host/etc")).getParent();
        List<String> flags = List.of("--host-root", host.toString(), "--version", "1.0.0", "--node-name", "node-1");
        AgentSettings s = AgentSettings.parse(flags, Map.of());
        assertThat(NodeAgentMain.context(s, Optional.of(client), true).policySocket())
                .contains("/run/jvisor/policy.sock");
        assertThat(NodeAgentMain.context(s, Optional.of(client)).policySocket()).isEmpty();
        assertThat(NodeAgentMain.context(s, Optional.empty(), true).policySocket()).isEmpty();
        List<String> off = new java.util.ArrayList<>(flags);
        off.addAll(List.of("--policy-socket", "off"));
        assertThat(NodeAgentMain.context(AgentSettings.parse(off, Map.of()), Optional.of(client), true).policySocket())
                .isEmpty();
    }

    private static Map<String, String> numbered(int n) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < n; i++) m.put("jvisor.dev/k" + i, "v");
        return m;
    }
}
