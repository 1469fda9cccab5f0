package dev.jvisor.nodeagent.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;

/**
 * This node's object in the API: the containerd version it reports, and the readiness label (plus
 * startup taints) by which the scheduler learns that jVisor pods can land here.
 */
public final class NodeStatus {

    /** Set to the installed version once the handler is proven to work; RuntimeClasses select on it. */
    public static final String READY_LABEL = "jvisor.dev/runtime-ready";

    private final KubernetesClient client;
    private final String nodeName;

    public NodeStatus(KubernetesClient client, String nodeName) {
        this.client = client;
        this.nodeName = nodeName;
    }

    /** {@code status.nodeInfo.containerRuntimeVersion}, e.g. {@code containerd://1.7.12}. */
    public Optional<String> containerRuntimeVersion() throws KubeException {
        Node node = get();
        if (node.getStatus() == null || node.getStatus().getNodeInfo() == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(node.getStatus().getNodeInfo().getContainerRuntimeVersion());
    }

    /** Labels the node ready for {@code version} and removes the given startup taints (by key). */
    public void markReady(String version, List<String> startupTaintKeys) throws KubeException {
        String value = labelValue(version);
        edit(node -> {
            if (node.getMetadata().getLabels() == null) {
                node.getMetadata().setLabels(new HashMap<>());
            }
            node.getMetadata().getLabels().put(READY_LABEL, value);
            if (node.getSpec() != null && node.getSpec().getTaints() != null && !startupTaintKeys.isEmpty()) {
                List<Taint> kept = new ArrayList<>(node.getSpec().getTaints());
                kept.removeIf(t -> startupTaintKeys.contains(t.getKey()));
                node.getSpec().setTaints(kept);
            }
            return node;
        });
    }

    /** Removes the readiness label; a missing label or node is fine (idempotent). */
    public void unmarkReady() throws KubeException {
        try {
            if (client.nodes().withName(nodeName).get() == null) {
                return;
            }
        } catch (KubernetesClientException e) {
            throw new KubeException("cannot read node " + nodeName, e);
        }
        edit(node -> {
            if (node.getMetadata().getLabels() != null) {
                node.getMetadata().getLabels().remove(READY_LABEL);
            }
            return node;
        });
    }

    public Optional<String> readyLabel() throws KubeException {
        var labels = get().getMetadata().getLabels();
        return Optional.ofNullable(labels == null ? null : labels.get(READY_LABEL));
    }

    /**
     * A Kubernetes label value for a version: at most 63 characters of {@code [A-Za-z0-9._-]},
     * starting and ending alphanumeric ({@code 1.0+build} becomes {@code 1.0_build}).
     */
    static String labelValue(String version) {
        String value = version.replaceAll("[^A-Za-z0-9._-]", "_");
        if (value.length() > 63) {
            value = value.substring(0, 63);
        }
        value = value.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
        return value.isEmpty() ? "unknown" : value;
    }

    private Node get() throws KubeException {
        try {
            Node node = client.nodes().withName(nodeName).get();
            if (node == null) {
                throw new KubeException("node " + nodeName + " does not exist", null);
            }
            return node;
        } catch (KubernetesClientException e) {
            throw new KubeException("cannot read node " + nodeName, e);
        }
    }

    private void edit(java.util.function.UnaryOperator<Node> change) throws KubeException {
        try {
            client.nodes().withName(nodeName).edit(change);
        } catch (KubernetesClientException e) {
            throw new KubeException("cannot update node " + nodeName, e);
        }
    }
}
