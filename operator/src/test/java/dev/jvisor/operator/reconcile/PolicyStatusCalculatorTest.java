package dev.jvisor.operator.reconcile;

import static dev.jvisor.operator.Fixtures.namespace;
import static dev.jvisor.operator.Fixtures.node;
import static dev.jvisor.operator.Fixtures.pod;
import static dev.jvisor.operator.Fixtures.policy;
import static dev.jvisor.operator.Fixtures.untrustedNamespace;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.api.v1alpha1.SandboxPolicy;
import dev.jvisor.api.v1alpha1.SandboxPolicyStatus;
import dev.jvisor.api.v1alpha1.Scheduling;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyStatusCalculatorTest {

    static final Clock T0 = Clock.fixed(Instant.parse("2026-03-01T10:00:00Z"), ZoneOffset.UTC);
    static final RuntimeClassState IN_SYNC = new RuntimeClassState.InSync("jvisor", "jvisor");

    static Condition condition(SandboxPolicyStatus status, String type) {
        return status.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
    }

    @Test
    void countsSandboxedAndUnsandboxedPodsOfMatchedNamespacesOnly() {
        SandboxPolicy policy = policy("default");
        Pod finished = pod("untrusted", "done", null);
        finished.getStatus().setPhase("Succeeded");
        var cluster = new ClusterSnapshot(List.of(policy),
                List.of(untrustedNamespace("untrusted"), namespace("trusted", Map.of())),
                List.of(pod("untrusted", "a", "jvisor"), pod("untrusted", "b", null), pod("untrusted", "c", "runc"),
                        pod("trusted", "d", null), finished),
                List.of(node("n1", true), node("n2", true)));
        PolicyObservation observation = new PolicyStatusCalculator(T0).observe(policy, cluster, IN_SYNC);
        SandboxPolicyStatus status = observation.status();
        assertThat(status.getMatchedNamespaces()).containsExactly("untrusted");
        assertThat(status.getSandboxedPods()).isEqualTo(1);
        assertThat(status.getUnsandboxedPods()).isEqualTo(2);
        assertThat(observation.unsandboxedPods()).containsExactly("untrusted/b", "untrusted/c");
        assertThat(status.getReadyNodes()).isEqualTo(2);
        assertThat(status.getTargetNodes()).isEqualTo(2);
        assertThat(condition(status, "Ready").getStatus()).isEqualTo("True");
        assertThat(condition(status, "Conflicted").getStatus()).isEqualTo("False");
        assertThat(status.getConditions()).allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(1L));
    }

    @Test
    void podsWonByAHigherPriorityPolicyAreNotCounted() {
        SandboxPolicy low = policy("low");
        SandboxPolicy high = policy("high", 9, Map.of("jvisor.dev/untrusted", "true"));
        high.getSpec().setRuntimeClassName("jvisor-strict");
        var cluster = new ClusterSnapshot(List.of(low, high), List.of(untrustedNamespace("ns")),
                List.of(pod("ns", "a", "jvisor-strict")), List.of(node("n1", true)));
        var calculator = new PolicyStatusCalculator(T0);
        assertThat(calculator.observe(low, cluster, IN_SYNC).status().getSandboxedPods()).isZero();
        assertThat(calculator.observe(low, cluster, IN_SYNC).status().getUnsandboxedPods()).isZero();
        assertThat(calculator.observe(high, cluster, IN_SYNC).status().getSandboxedPods()).isEqualTo(1);
    }

    @Test
    void nodesNotReadyAreNamedAndOnlyTargetNodesCount() {
        SandboxPolicy policy = policy("default");
        Scheduling scheduling = new Scheduling();
        scheduling.setNodeSelector(Map.of("kubernetes.io/hostname", "n2"));
        policy.getSpec().setScheduling(scheduling);
        var cluster = new ClusterSnapshot(List.of(policy), List.of(), List.of(),
                List.of(node("n1", true), node("n2", false)));
        SandboxPolicyStatus status = new PolicyStatusCalculator(T0).observe(policy, cluster, IN_SYNC).status();
        assertThat(status.getTargetNodes()).isEqualTo(1);
        assertThat(status.getReadyNodes()).isZero();
        Condition nodes = condition(status, "NodesReady");
        assertThat(nodes.getReason()).isEqualTo("NodesNotReady");
        assertThat(nodes.getMessage()).contains("0 of 1").contains("n2");
        assertThat(condition(status, "Ready").getStatus()).isEqualTo("False");
    }

    @Test
    void runtimeClassTakenIsAConflictAndNotReady() {
        SandboxPolicy policy = policy("second");
        var cluster = new ClusterSnapshot(List.of(policy), List.of(), List.of(), List.of(node("n1", true)));
        SandboxPolicyStatus status = new PolicyStatusCalculator(T0)
                .observe(policy, cluster, new RuntimeClassState.OwnedByOtherPolicy("jvisor", "first")).status();
        assertThat(condition(status, "RuntimeClassReady").getReason()).isEqualTo("OwnedByOtherPolicy");
        assertThat(condition(status, "Conflicted").getStatus()).isEqualTo("True");
        assertThat(condition(status, "Conflicted").getMessage()).contains("first");
        assertThat(condition(status, "Ready").getReason()).isEqualTo("RuntimeClassNotReady");
    }

    @Test
    void transitionTimeIsKeptWhileStatusIsUnchanged() {
        SandboxPolicy policy = policy("default");
        var cluster = new ClusterSnapshot(List.of(policy), List.of(), List.of(), List.of(node("n1", true)));
        SandboxPolicyStatus first = new PolicyStatusCalculator(T0).observe(policy, cluster, IN_SYNC).status();
        policy.setStatus(first);
        Clock later = Clock.offset(T0, java.time.Duration.ofHours(1));
        var notReadyCluster = new ClusterSnapshot(List.of(policy), List.of(), List.of(), List.of(node("n1", false)));
        SandboxPolicyStatus second = new PolicyStatusCalculator(later).observe(policy, notReadyCluster, IN_SYNC)
                .status();
        assertThat(condition(second, "RuntimeClassReady").getLastTransitionTime()).isEqualTo("2026-03-01T10:00:00Z");
        assertThat(condition(second, "NodesReady").getLastTransitionTime()).isEqualTo("2026-03-01T11:00:00Z");
    }
}
