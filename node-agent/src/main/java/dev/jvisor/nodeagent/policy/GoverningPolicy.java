package dev.jvisor.nodeagent.policy;

import dev.jvisor.api.v1alpha1.SandboxPolicy;
import dev.jvisor.api.v1alpha1.SandboxPolicySpec;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;

/**
 * Which SandboxPolicy governs a pod, by the rules the operator's admission applies: a live policy
 * (not being deleted) whose namespaceSelector selects the pod's namespace (unset: namespaces
 * labelled {@code jvisor.dev/untrusted=true}) and whose podSelector, if set, selects the pod;
 * among several, the highest priority, then the name that sorts first.
 */
final class GoverningPolicy {

    static final Comparator<SandboxPolicy> PRECEDENCE = Comparator
            .comparingInt(GoverningPolicy::priority).reversed()
            .thenComparing(p -> p.getMetadata().getName());

    private GoverningPolicy() {
    }

    static Optional<SandboxPolicy> of(Collection<SandboxPolicy> policies, Map<String, String> namespaceLabels,
                                      Map<String, String> podLabels) {
        return policies.stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .filter(p -> LabelSelectorMatch.matches(namespaceSelector(p), namespaceLabels))
                .filter(p -> spec(p).getPodSelector() == null
                        || LabelSelectorMatch.matches(spec(p).getPodSelector(), podLabels))
                .min(PRECEDENCE);
    }

    static SandboxPolicySpec spec(SandboxPolicy p) {
        return p.getSpec() == null ? new SandboxPolicySpec() : p.getSpec();
    }

    private static LabelSelector namespaceSelector(SandboxPolicy p) {
        LabelSelector s = spec(p).getNamespaceSelector();
        return s == null ? SandboxPolicySpec.defaultNamespaceSelector() : s;
    }

    private static int priority(SandboxPolicy p) {
        Integer priority = spec(p).getPriority();
        return priority == null ? 0 : priority;
    }
}
