package dev.jvisor.nodeagent.policy;

import dev.jvisor.api.v1alpha1.SandboxPolicy;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster through fabric8: SandboxPolicies from an informer (a handful of objects, read on
 * every sandbox create), pods and namespaces fetched when asked (one pod per create; a pod is
 * bound to this node before kubelet asks for its sandbox, and a fresh read cannot be stale).
 */
public final class KubernetesClusterView implements ClusterView, AutoCloseable {

    private final KubernetesClient client;
    private final SharedIndexInformer<SandboxPolicy> policies;

    public KubernetesClusterView(KubernetesClient client) {
        this.client = client;
        this.policies = client.resources(SandboxPolicy.class).inform();
    }

    @Override
    public Optional<Pod> pod(String namespace, String name) throws ClusterViewException {
        try {
            return Optional.ofNullable(client.pods().inNamespace(namespace).withName(name).get());
        } catch (KubernetesClientException e) {
            throw new ClusterViewException("cannot read pod " + namespace + "/" + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<Map<String, String>> namespaceLabels(String namespace) throws ClusterViewException {
        try {
            Namespace ns = client.namespaces().withName(namespace).get();
            if (ns == null) return Optional.empty();
            Map<String, String> labels = ns.getMetadata().getLabels();
            return Optional.of(labels == null ? Map.of() : labels);
        } catch (KubernetesClientException e) {
            throw new ClusterViewException("cannot read namespace " + namespace + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Collection<SandboxPolicy> policies() throws ClusterViewException {
        // Before the first full list an empty store would deny every pod; say "not yet" instead.
        if (!policies.hasSynced()) {
            throw new ClusterViewException("the SandboxPolicy list has not been read from the API server yet", null);
        }
        return List.copyOf(policies.getStore().list());
    }

    @Override
    public void close() {
        policies.close();
    }
}
