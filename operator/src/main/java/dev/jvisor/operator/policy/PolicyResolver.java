package dev.jvisor.operator.policy;

import dev.jvisor.api.v1alpha1.SandboxPolicy;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides which SandboxPolicy governs a pod. Several policies may select the same pod; the winner is the one with
 * the highest {@code priority}, and among equal priorities the one whose name sorts first. The order depends only
 * on the policies, never on list order or timing, so the webhook and the reconciler always agree.
 */
public final class PolicyResolver {

    /** Highest priority first, then name ascending. */
    public static final Comparator<SandboxPolicy> PRECEDENCE = Comparator
            .comparingInt(Policies::priority).reversed()
            .thenComparing(Policies::name);

    private PolicyResolver() {
    }

    /** Whether the policy's namespaceSelector selects a namespace with these labels; malformed selects nothing. */
    public static boolean selectsNamespace(SandboxPolicy policy, Map<String, String> namespaceLabels) {
        return safeMatches(Policies.namespaceSelector(policy), namespaceLabels);
    }

    /** Whether the policy selects a pod with these labels in a namespace with these labels. */
    public static boolean selectsPod(SandboxPolicy policy, Map<String, String> namespaceLabels,
            Map<String, String> podLabels) {
        return selectsNamespace(policy, namespaceLabels) && selectsPodLabels(policy, podLabels);
    }

    /** The podSelector part alone; an unset podSelector selects every pod. */
    public static boolean selectsPodLabels(SandboxPolicy policy, Map<String, String> podLabels) {
        LabelSelector podSelector = Policies.spec(policy).getPodSelector();
        return podSelector == null || safeMatches(podSelector, podLabels);
    }

    /** The policy that governs a pod with these labels in a namespace with these labels, if any. */
    public static Optional<Resolution> resolve(Collection<SandboxPolicy> policies, Map<String, String> namespaceLabels,
            Map<String, String> podLabels) {
        return pick(policies.stream()
                .filter(Policies::isLive)
                .filter(p -> selectsPod(p, namespaceLabels, podLabels))
                .toList());
    }

    /**
     * The policy for a pod that asked to be sandboxed with the legacy {@code io.kubernetes.cri.untrusted-workload}
     * annotation: the namespace selectors are ignored (the pod opted in), pod selectors still apply, and only
     * enforcing policies qualify (an Audit policy never changes a pod, so it cannot honour the request).
     */
    public static Optional<Resolution> resolveForOptIn(Collection<SandboxPolicy> policies,
            Map<String, String> podLabels) {
        return pick(policies.stream()
                .filter(Policies::isLive)
                .filter(p -> Policies.enforcement(p) == dev.jvisor.api.v1alpha1.Enforcement.ENFORCE)
                .filter(p -> selectsPodLabels(p, podLabels))
                .toList());
    }

    /**
     * Where {@code policy} ties with another policy of the same priority: in every namespace both select, when
     * neither narrows by pod labels or some existing pod there is selected by both.
     */
    public static List<PolicyConflict> conflictsOf(SandboxPolicy policy, Collection<SandboxPolicy> policies,
            Collection<Namespace> namespaces, Collection<Pod> pods) {
        List<PolicyConflict> conflicts = new ArrayList<>();
        if (!Policies.isLive(policy)) {
            return conflicts;
        }
        List<SandboxPolicy> rivals = policies.stream()
                .filter(Policies::isLive)
                .filter(other -> !Policies.name(other).equals(Policies.name(policy)))
                .filter(other -> Policies.priority(other) == Policies.priority(policy))
                .sorted(PRECEDENCE)
                .toList();
        for (Namespace namespace : sortedByName(namespaces)) {
            Map<String, String> labels = namespace.getMetadata().getLabels();
            if (!selectsNamespace(policy, labels)) {
                continue;
            }
            String namespaceName = namespace.getMetadata().getName();
            for (SandboxPolicy rival : rivals) {
                if (selectsNamespace(rival, labels) && overlapInNamespace(policy, rival, namespaceName, pods)) {
                    String winner = PRECEDENCE.compare(policy, rival) < 0 ? Policies.name(policy)
                            : Policies.name(rival);
                    conflicts.add(new PolicyConflict(namespaceName, Policies.name(policy), Policies.name(rival),
                            winner));
                }
            }
        }
        return conflicts;
    }

    /**
     * Which live policy owns the RuntimeClass called {@code runtimeClassName} when several name it: the oldest
     * (creationTimestamp), then the name sorting first. Others must leave that RuntimeClass alone.
     */
    public static Optional<SandboxPolicy> runtimeClassOwner(Collection<SandboxPolicy> policies,
            String runtimeClassName) {
        return policies.stream()
                .filter(Policies::isLive)
                .filter(p -> Policies.runtimeClassName(p).equals(runtimeClassName))
                .min(Comparator.comparing(PolicyResolver::createdAt).thenComparing(Policies::name));
    }

    private static Optional<Resolution> pick(List<SandboxPolicy> candidates) {
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        List<SandboxPolicy> ordered = candidates.stream().sorted(PRECEDENCE).toList();
        SandboxPolicy winner = ordered.getFirst();
        List<SandboxPolicy> tied = ordered.stream().skip(1)
                .filter(p -> Policies.priority(p) == Policies.priority(winner))
                .toList();
        return Optional.of(new Resolution(winner, tied));
    }

    private static boolean overlapInNamespace(SandboxPolicy a, SandboxPolicy b, String namespace,
            Collection<Pod> pods) {
        LabelSelector podsA = Policies.spec(a).getPodSelector();
        LabelSelector podsB = Policies.spec(b).getPodSelector();
        if (podsA == null && podsB == null) {
            return true;
        }
        if (Objects.equals(podsA, podsB)) {
            return true;
        }
        return pods.stream()
                .filter(pod -> namespace.equals(pod.getMetadata().getNamespace()))
                .map(pod -> pod.getMetadata().getLabels())
                .anyMatch(labels -> selectsPodLabels(a, labels) && selectsPodLabels(b, labels));
    }

    private static boolean safeMatches(LabelSelector selector, Map<String, String> labels) {
        try {
            return LabelSelectors.matches(selector, labels);
        } catch (InvalidLabelSelectorException e) {
            // The validating webhook keeps malformed selectors out; one that predates it selects nothing
            // rather than guessing, and the policy's status says why.
            return false;
        }
    }

    private static Instant createdAt(SandboxPolicy policy) {
        String timestamp = policy.getMetadata().getCreationTimestamp();
        if (timestamp == null) {
            return Instant.MAX;
        }
        try {
            return Instant.parse(timestamp);
        } catch (java.time.format.DateTimeParseException e) {
            return Instant.MAX;
        }
    }

    private static List<Namespace> sortedByName(Collection<Namespace> namespaces) {
        return namespaces.stream()
                .sorted(Comparator.comparing((Namespace n) -> n.getMetadata().getName()))
                .toList();
    }
}
