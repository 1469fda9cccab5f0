package dev.jvisor.operator.reconcile;

import dev.jvisor.api.v1alpha1.SandboxPolicy;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;

/** The cluster state one reconcile looks at, taken from the informer caches. */
public record ClusterSnapshot(List<SandboxPolicy> policies, List<Namespace> namespaces, List<Pod> pods,
        List<Node> nodes) {

    public ClusterSnapshot {
        policies = List.copyOf(policies);
        namespaces = List.copyOf(namespaces);
        pods = List.copyOf(pods);
        nodes = List.copyOf(nodes);
    }
}
