package dev.jvisor.operator.reconcile;

import static dev.jvisor.operator.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.api.v1alpha1.Overhead;
import dev.jvisor.api.v1alpha1.SandboxPolicy;
import dev.jvisor.api.v1alpha1.Scheduling;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuntimeClassDesiredTest {

    @Test
    void minimalPolicyGivesAPlainLabelledRuntimeClass() {
        RuntimeClass rc = RuntimeClassDependent.desiredFor(policy("default"));
        assertThat(rc.getMetadata().getName()).isEqualTo("jvisor");
        assertThat(rc.getHandler()).isEqualTo("jvisor");
        assertThat(rc.getMetadata().getLabels()).containsEntry("jvisor.dev/policy", "default")
                .containsEntry("app.kubernetes.io/managed-by", "jvisor-operator");
        assertThat(rc.getOverhead()).isNull();
        assertThat(rc.getScheduling()).isNull();
    }

    @Test
    void overheadAndSchedulingAreCopied() {
        SandboxPolicy policy = policy("gpu-nodes");
        policy.getSpec().setRuntimeClassName("jvisor-gpu");
        policy.getSpec().setHandler("jvisor-gpu");
        Overhead overhead = new Overhead();
        overhead.setPodFixed(Map.of("cpu", new Quantity("250m"), "memory", new Quantity("64Mi")));
        policy.getSpec().setOverhead(overhead);
        Scheduling scheduling = new Scheduling();
        scheduling.setNodeSelector(Map.of("sandbox", "jvisor"));
        scheduling.setTolerations(List.of(new TolerationBuilder().withKey("sandbox").withOperator("Exists")
                .withEffect("NoSchedule").build()));
        policy.getSpec().setScheduling(scheduling);

        RuntimeClass rc = RuntimeClassDependent.desiredFor(policy);
        assertThat(rc.getMetadata().getName()).isEqualTo("jvisor-gpu");
        assertThat(rc.getHandler()).isEqualTo("jvisor-gpu");
        assertThat(rc.getOverhead().getPodFixed()).containsEntry("cpu", new Quantity("250m"))
                .containsEntry("memory", new Quantity("64Mi"));
        assertThat(rc.getScheduling().getNodeSelector()).containsExactly(Map.entry("sandbox", "jvisor"));
        assertThat(rc.getScheduling().getTolerations()).singleElement()
                .satisfies(t -> assertThat(t.getKey()).isEqualTo("sandbox"));
    }

    @Test
    void desiredIsPureAndDoesNotAliasThePolicy() {
        SandboxPolicy policy = policy("p");
        Scheduling scheduling = new Scheduling();
        scheduling.setNodeSelector(new java.util.HashMap<>(Map.of("a", "b")));
        policy.getSpec().setScheduling(scheduling);
        RuntimeClass first = RuntimeClassDependent.desiredFor(policy);
        assertThat(RuntimeClassDependent.desiredFor(policy)).isEqualTo(first);
        scheduling.getNodeSelector().put("c", "d");
        assertThat(first.getScheduling().getNodeSelector()).containsOnlyKeys("a");
    }
}
