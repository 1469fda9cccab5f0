package dev.jvisor.nodeagent.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class NodeStatusTest {

    KubernetesClient client;

    @BeforeEach
    void node() {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("n1").addToLabels("zone", "a").endMetadata()
                .withNewSpec()
                .addNewTaint().withKey("jvisor.dev/not-ready").withEffect("NoSchedule").endTaint()
                .addNewTaint().withKey("dedicated").withValue("gpu").withEffect("NoSchedule").endTaint()
                .endSpec()
                .withNewStatus().withNewNodeInfo().withContainerRuntimeVersion("containerd://2.0.2").endNodeInfo()
                .endStatus().build()).create();
    }

    @Test
    void labelsReadyRemovesOnlyStartupTaintsAndUnlabels() throws Exception {
        NodeStatus status = new NodeStatus(client, "n1");
        assertThat(status.containerRuntimeVersion()).contains("containerd://2.0.2");
        status.markReady("0.1.0+build.7", List.of("jvisor.dev/not-ready"));
        var node = client.nodes().withName("n1").get();
        assertThat(node.getMetadata().getLabels()).containsEntry(NodeStatus.READY_LABEL, "0.1.0_build.7")
                .containsEntry("zone", "a");
        assertThat(node.getSpec().getTaints()).extracting("key").containsExactly("dedicated");
        status.unmarkReady();
        status.unmarkReady();
        assertThat(client.nodes().withName("n1").get().getMetadata().getLabels())
                .doesNotContainKey(NodeStatus.READY_LABEL).containsEntry("zone", "a");
    }

    @Test
    void missingNodeIsATypedErrorForLabellingAndANoOpForUnlabelling() throws Exception {
        NodeStatus status = new NodeStatus(client, "absent");
        assertThatThrownBy(() -> status.markReady("1", List.of())).isInstanceOf(KubeException.class);
        status.unmarkReady();
    }

    @Test
    void labelValuesAreValidKubernetesLabelValues() {
        assertThat(NodeStatus.labelValue("v1.2.3")).isEqualTo("v1.2.3");
        assertThat(NodeStatus.labelValue("-1.0-")).isEqualTo("1.0");
        assertThat(NodeStatus.labelValue("a".repeat(80))).hasSize(63);
        assertThat(NodeStatus.labelValue("+++")).isEqualTo("unknown");
    }
}
