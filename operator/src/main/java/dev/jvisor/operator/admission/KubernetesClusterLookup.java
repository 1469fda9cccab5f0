package dev.jvisor.operator.admission;

import dev.jvisor.api.v1alpha1.SandboxPolicy;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads namespaces and policies straight from the API server on each review. Pod creations are far rarer than
 * the informer traffic a cache would cost every replica, and a direct read can never admit a pod against a stale
 * policy set.
 */
public class KubernetesClusterLookup implements ClusterLookup {

    private final KubernetesClient client;

    public KubernetesClusterLookup(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public Optional<Map<String, String>> namespaceLabels(String namespace) throws ClusterLookupException {
        try {
            Namespace found = client.namespaces().withName(namespace).get();
            if (found == null) {
                return Optional.empty();
            }
            Map<String, String> labels = found.getMetadata().getLabels();
            return Optional.of(labels == null ? Map.of() : labels);
        } catch (KubernetesClientException e) {
            throw new ClusterLookupException("could not read namespace " + namespace + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<SandboxPolicy> policies() throws ClusterLookupException {
        try {
            return client.resources(SandboxPolicy.class).list().getItems();
        } catch (KubernetesClientException e) {
            throw new ClusterLookupException("could not list SandboxPolicies: " + e.getMessage(), e);
        }
    }
}
