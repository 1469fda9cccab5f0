package dev.jvisor.nodeagent.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Map;

/**
 * Decides, when the agent is told to stop, whether this is a removal (uninstall) or just a restart
 * or rolling update (keep everything): it is a removal only when the agent's DaemonSet is gone or
 * being deleted, or no longer selects this node by node selector or required node affinity.
 */
public final class DaemonSetSelection {

    private final KubernetesClient client;

    public DaemonSetSelection(KubernetesClient client) {
        this.client = client;
    }

    /** Whether the DaemonSet owning pod {@code namespace/podName} still wants a pod on {@code nodeName}. */
    public boolean stillSelects(String namespace, String podName, String nodeName) throws KubeException {
        try {
            Pod pod = client.pods().inNamespace(namespace).withName(podName).get();
            if (pod == null) {
                throw new KubeException("own pod " + namespace + "/" + podName + " not found", null);
            }
            OwnerReference owner = pod.getMetadata().getOwnerReferences().stream()
                    .filter(r -> "DaemonSet".equals(r.getKind()))
                    .findFirst()
                    .orElseThrow(() -> new KubeException("pod " + podName + " is not owned by a DaemonSet", null));
            DaemonSet daemonSet = client.apps().daemonSets().inNamespace(namespace).withName(owner.getName()).get();
            if (daemonSet == null || daemonSet.getMetadata().getDeletionTimestamp() != null
                    || !daemonSet.getMetadata().getUid().equals(owner.getUid())) {
                return false;
            }
            Node node = client.nodes().withName(nodeName).get();
            if (node == null) {
                return false;
            }
            return selects(daemonSet.getSpec().getTemplate().getSpec(), node.getMetadata().getLabels());
        } catch (KubernetesClientException e) {
            throw new KubeException("cannot check the DaemonSet's selection", e);
        }
    }

    /** Kubernetes' scheduling rules for node selector and required node affinity, on labels. */
    static boolean selects(PodSpec spec, Map<String, String> nodeLabels) {
        Map<String, String> labels = nodeLabels == null ? Map.of() : nodeLabels;
        if (spec.getNodeSelector() != null) {
            for (var entry : spec.getNodeSelector().entrySet()) {
                if (!entry.getValue().equals(labels.get(entry.getKey()))) {
                    return false;
                }
            }
        }
        var affinity = spec.getAffinity();
        if (affinity == null || affinity.getNodeAffinity() == null
                || affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null) {
            return true;
        }
        List<NodeSelectorTerm> terms = affinity.getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms();
        // Terms are ORed; requirements within a term are ANDed. A term with no label
        // requirements (only matchFields) is treated as matching: fields name the node itself.
        return terms.isEmpty() || terms.stream().anyMatch(term -> term.getMatchExpressions() == null
                || term.getMatchExpressions().stream().allMatch(r -> matches(r, labels)));
    }

    static boolean matches(NodeSelectorRequirement requirement, Map<String, String> labels) {
        String value = labels.get(requirement.getKey());
        List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
        return switch (requirement.getOperator()) {
            case "In" -> value != null && values.contains(value);
            case "NotIn" -> value == null || !values.contains(value);
            case "Exists" -> value != null;
            case "DoesNotExist" -> value == null;
            case "Gt" -> compare(value, values) > 0;
            case "Lt" -> compare(value, values) < 0 && value != null;
            default -> false;
        };
    }

    /** Gt/Lt compare one integer label value with one integer; anything else does not match. */
    private static int compare(String value, List<String> values) {
        if (value == null || values.size() != 1) {
            return 0;
        }
        try {
            return Long.compare(Long.parseLong(value), Long.parseLong(values.getFirst()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
