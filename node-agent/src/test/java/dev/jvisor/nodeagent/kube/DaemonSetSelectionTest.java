package dev.jvisor.nodeagent.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class DaemonSetSelectionTest {

    KubernetesClient client;

    private DaemonSet daemonSet(Map<String, String> nodeSelector) {
        DaemonSet ds = client.apps().daemonSets().inNamespace("jvisor-system").resource(new DaemonSetBuilder()
                .withNewMetadata().withName("jvisor-node-agent").endMetadata()
                .withNewSpec().withNewTemplate().withNewSpec().withNodeSelector(nodeSelector)
                .addNewContainer().withName("agent").withImage("jvisor/node-agent").endContainer()
                .endSpec().endTemplate().endSpec().build()).create();
        client.pods().inNamespace("jvisor-system").resource(new PodBuilder().withNewMetadata()
                .withName("jvisor-node-agent-x1").addNewOwnerReference().withKind("DaemonSet")
                .withApiVersion("apps/v1").withName("jvisor-node-agent").withUid(ds.getMetadata().getUid())
                .endOwnerReference().endMetadata().build()).create();
        return ds;
    }

    private void node(Map<String, String> labels) {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("n1").withLabels(labels).endMetadata()
                .build()).create();
    }

    @Test
    void aSelectingDaemonSetMeansKeep() throws Exception {
        node(Map.of("jvisor.dev/enabled", "true"));
        daemonSet(Map.of("jvisor.dev/enabled", "true"));
        assertThat(new DaemonSetSelection(client).stillSelects("jvisor-system", "jvisor-node-agent-x1", "n1")).isTrue();
    }

    @Test
    void aNodeNoLongerSelectedMeansRemove() throws Exception {
        node(Map.of("jvisor.dev/enabled", "false"));
        daemonSet(Map.of("jvisor.dev/enabled", "true"));
        assertThat(new DaemonSetSelection(client).stillSelects("jvisor-system", "jvisor-node-agent-x1", "n1")).isFalse();
    }

    @Test
    void aDeletedDaemonSetMeansRemove() throws Exception {
        node(Map.of());
        daemonSet(Map.of());
        client.apps().daemonSets().inNamespace("jvisor-system").withName("jvisor-node-agent").delete();
        assertThat(new DaemonSetSelection(client).stillSelects("jvisor-system", "jvisor-node-agent-x1", "n1")).isFalse();
    }

    @Test
    void requiredNodeAffinityIsEvaluated() {
        PodSpec spec = new PodSpecBuilder().withNewAffinity().withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm().addNewMatchExpression().withKey("arch").withOperator("In")
                .withValues("amd64").endMatchExpression()
                .addNewMatchExpression().withKey("jvisor.dev/disabled").withOperator("DoesNotExist").endMatchExpression()
                .endNodeSelectorTerm()
                .addNewNodeSelectorTerm().addNewMatchExpression().withKey("cores").withOperator("Gt")
                .withValues("64").endMatchExpression().endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity().build();
        assertThat(DaemonSetSelection.selects(spec, Map.of("arch", "amd64"))).isTrue();
        assertThat(DaemonSetSelection.selects(spec, Map.of("arch", "amd64", "jvisor.dev/disabled", ""))).isFalse();
        assertThat(DaemonSetSelection.selects(spec, Map.of("arch", "arm64", "cores", "128"))).isTrue();
        assertThat(DaemonSetSelection.selects(spec, Map.of("arch", "arm64", "cores", "8"))).isFalse();
        assertThat(DaemonSetSelection.selects(spec, null)).isFalse();
    }

    @Test
    void operatorsFollowKubernetesSemantics() {
        var labels = Map.of("a", "1", "n", "5");
        assertThat(DaemonSetSelection.matches(req("a", "NotIn", "2"), labels)).isTrue();
        assertThat(DaemonSetSelection.matches(req("missing", "NotIn", "2"), labels)).isTrue();
        assertThat(DaemonSetSelection.matches(req("a", "Exists"), labels)).isTrue();
        assertThat(DaemonSetSelection.matches(req("n", "Lt", "10"), labels)).isTrue();
        assertThat(DaemonSetSelection.matches(req("a", "Lt", "x"), labels)).isFalse();
        assertThat(DaemonSetSelection.matches(req("a", "Bogus", "1"), labels)).isFalse();
    }

    private static NodeSelectorRequirement req(String key, String op, String... values) {
        return new NodeSelectorRequirement(key, op, List.of(values));
    }
}
