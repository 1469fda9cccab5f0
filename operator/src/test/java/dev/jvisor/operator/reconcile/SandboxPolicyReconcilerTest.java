package dev.jvisor.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jvisor.api.v1alpha1.SandboxAnnotations;
import dev.jvisor.api.v1alpha1.SandboxPolicy;
import dev.jvisor.api.v1alpha1.SandboxPolicyStatus;
import dev.jvisor.api.v1alpha1.Scheduling;
import dev.jvisor.operator.Examples;
import dev.jvisor.operator.Fixtures;
import dev.jvisor.operator.TestConfig;
import dev.jvisor.operator.metrics.OperatorMetrics;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The reconciler running in a real Java Operator SDK operator against fabric8's mock API server in CRUD mode:
 * objects are created, changed and deleted through the API, and the test waits for the RuntimeClass, status and
 * Events to follow. Each test uses its own labels and names so they share one operator without interfering.
 */
@EnableKubernetesMockClient(crud = true)
class SandboxPolicyReconcilerTest {

    static KubernetesClient client;
    static KubernetesMockServer server;
    static Operator operator;
    static final SimpleMeterRegistry METRICS = new SimpleMeterRegistry();

    static final Duration WAIT = Duration.ofSeconds(30);

    @BeforeAll
    static void startOperator() {
        server.expectCustomResource(CustomResourceDefinitionContext.fromCustomResourceType(SandboxPolicy.class));
        operator = new Operator(o -> o.withKubernetesClient(client)
                .withUseSSAToPatchPrimaryResource(false)
                .withSSABasedCreateUpdateMatchForDependentResources(false)
                .withCloseClientOnStop(false)
                .checkingCRDAndValidateLocalModel(false));
        Clock clock = Clock.systemUTC();
        operator.register(new SandboxPolicyReconciler(new PolicyStatusCalculator(clock),
                new PolicyEvents(client, "default", clock), new OperatorMetrics(METRICS),
                new TestConfig()));
        operator.start();
    }

    @AfterAll
    static void stopOperator() {
        operator.stop();
    }

    static SandboxPolicy policy(String name, String team) {
        SandboxPolicy policy = Fixtures.policy(name, 0, Map.of("team", team));
        policy.getMetadata().setGeneration(null);
        policy.getSpec().setRuntimeClassName("rc-" + name);
        Scheduling scheduling = new Scheduling();
        scheduling.setNodeSelector(Map.of("pool", team));
        policy.getSpec().setScheduling(scheduling);
        return client.resource(policy).create();
    }

    static SandboxPolicyStatus status(String name) {
        SandboxPolicy policy = client.resources(SandboxPolicy.class).withName(name).get();
        return policy == null || policy.getStatus() == null ? new SandboxPolicyStatus() : policy.getStatus();
    }

    static Condition condition(String policy, String type) {
        return status(policy).getConditions().stream().filter(c -> type.equals(c.getType())).findFirst()
                .orElse(new Condition());
    }

    static RuntimeClass runtimeClass(String name) {
        return client.resources(RuntimeClass.class).withName(name).get();
    }

    static List<Event> events(String policy) {
        return client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> policy.equals(e.getInvolvedObject().getName())).toList();
    }

    static Node node(String name, String pool, boolean ready) {
        Node node = Fixtures.node(name, ready);
        node.getMetadata().getLabels().put("pool", pool);
        return client.resource(node).createOr(r -> r.update());
    }

    @Test
    void runtimeClassFollowsThePolicyThroughItsLife() {
        node("node-life", "life", true);
        policy("life", "life");
        await().atMost(WAIT).untilAsserted(() -> {
            RuntimeClass rc = runtimeClass("rc-life");
            assertThat(rc).isNotNull();
            assertThat(rc.getHandler()).isEqualTo("jvisor");
            assertThat(rc.getScheduling().getNodeSelector()).containsEntry("pool", "life");
            assertThat(rc.getMetadata().getLabels()).containsEntry("jvisor.dev/policy", "life");
            assertThat(rc.getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(ref -> assertThat(ref.getKind()).isEqualTo("SandboxPolicy"));
            assertThat(condition("life", "Ready").getStatus()).isEqualTo("True");
            assertThat(condition("life", "RuntimeClassReady").getReason()).isEqualTo("InSync");
        });
        assertThat(client.resources(SandboxPolicy.class).withName("life").get().getMetadata().getFinalizers())
                .as("a finalizer guards the RuntimeClass cleanup").isNotEmpty();

        client.resources(SandboxPolicy.class).withName("life").edit(p -> {
            var overhead = new dev.jvisor.api.v1alpha1.Overhead();
            overhead.setPodFixed(Map.of("memory", new Quantity("128Mi")));
            p.getSpec().setOverhead(overhead);
            p.getSpec().setHandler("jvisor-v2");
            return p;
        });
        await().atMost(WAIT).untilAsserted(() -> {
            RuntimeClass rc = runtimeClass("rc-life");
            assertThat(rc).isNotNull();
            assertThat(rc.getHandler()).as("handler is immutable: the class is replaced").isEqualTo("jvisor-v2");
            assertThat(rc.getOverhead().getPodFixed()).containsEntry("memory", new Quantity("128Mi"));
        });

        client.resources(SandboxPolicy.class).withName("life").edit(p -> {
            p.getSpec().setRuntimeClassName("rc-life-renamed");
            return p;
        });
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(runtimeClass("rc-life-renamed")).isNotNull();
            assertThat(runtimeClass("rc-life")).as("the class under the old name is removed").isNull();
        });

        client.resources(SandboxPolicy.class).withName("life").delete();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(runtimeClass("rc-life-renamed")).isNull();
            assertThat(client.resources(SandboxPolicy.class).withName("life").get()).isNull();
        });
        assertThat(events("life")).extracting(Event::getReason)
                .contains("RuntimeClassCreated", "RuntimeClassUpdated", "RuntimeClassDeleted", "PolicyDeleted");
        assertThat(METRICS.get("jvisor.operator.reconciles").tags("policy", "life", "result", "ok").counter()
                .count()).isGreaterThanOrEqualTo(3);
        // Cleanup may run again for the same deletion (the framework retries until the finalizer
        // is gone, and cleanup is idempotent), so at least once.
        assertThat(METRICS.get("jvisor.operator.reconciles").tags("policy", "life", "result", "deleted").counter()
                .count()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void statusFollowsNamespacesPodsAndNodes() {
        policy("counts", "counts");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(condition("counts", "NodesReady").getReason()).isEqualTo("NoTargetNodes");
            assertThat(condition("counts", "Ready").getStatus()).isEqualTo("False");
        });

        client.resource(Fixtures.namespace("counts-a", Map.of("team", "counts"))).create();
        client.resource(Fixtures.namespace("counts-b", Map.of("team", "other"))).create();
        client.resource(Fixtures.pod("counts-a", "sandboxed", "rc-counts")).create();
        client.resource(Fixtures.pod("counts-a", "escaped", null)).create();
        client.resource(Fixtures.pod("counts-b", "elsewhere", null)).create();
        node("node-counts", "counts", false);
        await().atMost(WAIT).untilAsserted(() -> {
            SandboxPolicyStatus status = status("counts");
            assertThat(status.getMatchedNamespaces()).containsExactly("counts-a");
            assertThat(status.getSandboxedPods()).isEqualTo(1);
            assertThat(status.getUnsandboxedPods()).isEqualTo(1);
            assertThat(status.getTargetNodes()).isEqualTo(1);
            assertThat(status.getReadyNodes()).isZero();
            assertThat(condition("counts", "NodesReady").getMessage()).contains("node-counts");
        });
        assertThat(events("counts")).anySatisfy(e -> {
            assertThat(e.getReason()).isEqualTo("UnsandboxedPods");
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getMessage()).contains("counts-a/escaped");
        });

        client.nodes().withName("node-counts").edit(n -> {
            n.getMetadata().getLabels().put(SandboxAnnotations.RUNTIME_READY_NODE_LABEL, "0.1.0");
            return n;
        });
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(status("counts").getReadyNodes()).isEqualTo(1);
            assertThat(condition("counts", "Ready").getStatus()).isEqualTo("True");
        });

        client.namespaces().withName("counts-b").edit(ns -> {
            ns.getMetadata().getLabels().put("team", "counts");
            return ns;
        });
        client.namespaces().withName("counts-a").edit(ns -> {
            ns.getMetadata().getLabels().put("team", "gone");
            return ns;
        });
        await().atMost(WAIT).untilAsserted(() -> {
            SandboxPolicyStatus status = status("counts");
            assertThat(status.getMatchedNamespaces()).containsExactly("counts-b");
            assertThat(status.getSandboxedPods()).isZero();
            assertThat(status.getUnsandboxedPods()).isEqualTo(1);
        });
        assertThat(events("counts")).anySatisfy(e -> assertThat(e.getMessage())
                .contains("no longer selects counts-a", "left as they are"));
        assertThat(client.pods().inNamespace("counts-a").withName("escaped").get().getSpec().getRuntimeClassName())
                .as("existing pods are reported, never changed").isNull();

        client.resources(SandboxPolicy.class).withName("counts").delete();
    }

    @Test
    void equalPrioritiesAndSharedRuntimeClassNamesAreConflicts() {
        node("node-tie", "tie", true);
        client.resource(Fixtures.namespace("tie-ns", Map.of("team", "tie"))).create();
        policy("tie-alpha", "tie");
        policy("tie-bravo", "tie");
        await().atMost(WAIT).untilAsserted(() -> {
            for (String name : List.of("tie-alpha", "tie-bravo")) {
                Condition conflicted = condition(name, "Conflicted");
                assertThat(conflicted.getStatus()).as(name).isEqualTo("True");
                assertThat(conflicted.getReason()).isEqualTo("EqualPriorityOverlap");
                assertThat(conflicted.getMessage()).contains("tie-ns", "tie-alpha applies");
            }
        });

        SandboxPolicy thief = Fixtures.policy("tie-thief", 0, Map.of("team", "nobody"));
        thief.getMetadata().setGeneration(null);
        thief.getSpec().setRuntimeClassName("rc-tie-alpha");
        thief.getSpec().setHandler("stolen");
        client.resource(thief).create();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(condition("tie-thief", "Conflicted").getReason()).isEqualTo("RuntimeClassTaken");
            assertThat(condition("tie-thief", "RuntimeClassReady").getMessage()).contains("tie-alpha");
        });
        assertThat(runtimeClass("rc-tie-alpha").getHandler()).as("the owner's class is untouched")
                .isEqualTo("jvisor");

        client.resources(SandboxPolicy.class).withName("tie-bravo").delete();
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(condition("tie-alpha", "Conflicted").getStatus()).isEqualTo("False"));
        client.resources(SandboxPolicy.class).withName("tie-alpha").delete();
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(runtimeClass("rc-tie-alpha")).as("the refused policy takes the name over")
                        .isNotNull().extracting(RuntimeClass::getHandler).isEqualTo("stolen"));
        client.resources(SandboxPolicy.class).withName("tie-thief").delete();
    }

    @Test
    void aRuntimeClassJvisorDidNotMakeIsLeftAlone() {
        client.resource(new io.fabric8.kubernetes.api.model.node.v1.RuntimeClassBuilder().withNewMetadata()
                .withName("rc-foreign").endMetadata().withHandler("runsc").build()).create();
        SandboxPolicy policy = Fixtures.policy("foreign", 0, Map.of("team", "foreign"));
        policy.getMetadata().setGeneration(null);
        policy.getSpec().setRuntimeClassName("rc-foreign");
        client.resource(policy).create();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(condition("foreign", "RuntimeClassReady").getReason()).isEqualTo("RuntimeClassNotManaged");
            assertThat(condition("foreign", "Conflicted").getStatus()).isEqualTo("True");
        });
        assertThat(runtimeClass("rc-foreign").getHandler()).isEqualTo("runsc");
        client.resources(SandboxPolicy.class).withName("foreign").delete();
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(client.resources(SandboxPolicy.class).withName("foreign").get()).isNull());
        assertThat(runtimeClass("rc-foreign")).as("cleanup removes only what the policy owns").isNotNull();
    }

    @Test
    void examplesReconcile() {
        Examples.apply(client, "untrusted-namespace.yaml");
        Examples.apply(client, "default-policy.yaml");
        Examples.apply(client, "audit-policy.yaml");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(runtimeClass("jvisor")).isNotNull();
            assertThat(runtimeClass("jvisor").getOverhead().getPodFixed()).containsKeys("cpu", "memory");
            assertThat(runtimeClass("jvisor-audit")).isNotNull();
            assertThat(status("default").getMatchedNamespaces()).containsExactly("untrusted");
            assertThat(status("default").getUnsandboxedPods()).as("the example pod was created directly")
                    .isEqualTo(1);
        });
        client.resources(SandboxPolicy.class).withName("default").delete();
        client.resources(SandboxPolicy.class).withName("audit").delete();
    }
}
