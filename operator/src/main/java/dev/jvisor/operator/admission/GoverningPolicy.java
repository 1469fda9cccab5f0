package dev.jvisor.operator.admission;

import dev.jvisor.api.v1alpha1.SandboxAnnotations;
import dev.jvisor.api.v1alpha1.SandboxPolicy;
import dev.jvisor.operator.config.OperatorConfig;
import dev.jvisor.operator.policy.PolicyResolver;
import dev.jvisor.operator.policy.Resolution;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Finds the policy that governs a pod under review, the same way the reconciler counts it. */
final class GoverningPolicy {

    private final ClusterLookup cluster;
    private final OperatorConfig config;

    GoverningPolicy(ClusterLookup cluster, OperatorConfig config) {
        this.cluster = cluster;
        this.config = config;
    }

    /**
     * The resolution for {@code pod} in {@code namespace}, or empty when no policy applies or the namespace is
     * exempt. A pod carrying the legacy untrusted-workload annotation is resolved as an opt-in when its namespace
     * matches no policy.
     */
    Optional<Resolution> forPod(String namespace, Pod pod) throws ClusterLookupException {
        if (namespace == null || isExempt(namespace)) {
            return Optional.empty();
        }
        Map<String, String> podLabels = pod.getMetadata() == null ? Map.of() : pod.getMetadata().getLabels();
        Map<String, String> namespaceLabels = cluster.namespaceLabels(namespace).orElse(Map.of());
        List<SandboxPolicy> policies = cluster.policies();
        Optional<Resolution> resolution = PolicyResolver.resolve(policies, namespaceLabels, podLabels);
        if (resolution.isEmpty() && optsInByLegacyAnnotation(pod)) {
            return PolicyResolver.resolveForOptIn(policies, podLabels);
        }
        return resolution;
    }

    boolean optsInByLegacyAnnotation(Pod pod) {
        if (!config.translateLegacyUntrustedAnnotation() || pod.getMetadata() == null
                || pod.getMetadata().getAnnotations() == null) {
            return false;
        }
        return "true".equalsIgnoreCase(pod.getMetadata().getAnnotations()
                .get(SandboxAnnotations.LEGACY_UNTRUSTED_WORKLOAD));
    }

    private boolean isExempt(String namespace) {
        return namespace.equals(config.namespace()) || config.exemptNamespaces().contains(namespace);
    }
}
