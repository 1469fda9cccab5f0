package dev.jvisor.operator.reconcile;

import dev.jvisor.api.v1alpha1.SandboxAnnotations;
import dev.jvisor.api.v1alpha1.SandboxPolicy;
import dev.jvisor.api.v1alpha1.SandboxPolicyStatus;
import dev.jvisor.operator.policy.Policies;
import dev.jvisor.operator.policy.PolicyConflict;
import dev.jvisor.operator.policy.PolicyResolver;
import dev.jvisor.operator.policy.Resolution;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Computes a SandboxPolicy's status from a snapshot of the cluster. Pure: the same inputs give the same status, so
 * it is unit-tested without an API server, and the reconciler writes the status only when it changed.
 */
public final class PolicyStatusCalculator {

    /** How many names a message lists before it says "and N more". */
    static final int NAMES_IN_MESSAGE = 5;

    private final Clock clock;

    public PolicyStatusCalculator(Clock clock) {
        this.clock = clock;
    }

    public PolicyObservation observe(SandboxPolicy policy, ClusterSnapshot cluster, RuntimeClassState runtimeClass) {
        long generation = Optional.ofNullable(policy.getMetadata().getGeneration()).orElse(0L);
        Map<String, Map<String, String>> namespaceLabels = new HashMap<>();
        for (Namespace namespace : cluster.namespaces()) {
            namespaceLabels.put(namespace.getMetadata().getName(), namespace.getMetadata().getLabels());
        }

        List<String> matched = cluster.namespaces().stream()
                .filter(ns -> PolicyResolver.selectsNamespace(policy, ns.getMetadata().getLabels()))
                .map(ns -> ns.getMetadata().getName())
                .sorted()
                .toList();

        String runtimeClassName = Policies.runtimeClassName(policy);
        List<String> sandboxed = new ArrayList<>();
        List<String> unsandboxed = new ArrayList<>();
        for (Pod pod : cluster.pods()) {
            if (isFinished(pod)) {
                continue;
            }
            String namespace = pod.getMetadata().getNamespace();
            Map<String, String> labels = namespaceLabels.get(namespace);
            if (labels == null && !namespaceLabels.containsKey(namespace)) {
                continue;
            }
            Optional<Resolution> resolution = PolicyResolver.resolve(cluster.policies(), labels,
                    pod.getMetadata().getLabels());
            if (resolution.isEmpty() || !Policies.name(resolution.get().winner()).equals(Policies.name(policy))) {
                continue;
            }
            String id = namespace + "/" + pod.getMetadata().getName();
            if (runtimeClassName.equals(pod.getSpec() == null ? null : pod.getSpec().getRuntimeClassName())) {
                sandboxed.add(id);
            } else {
                unsandboxed.add(id);
            }
        }
        sandboxed.sort(null);
        unsandboxed.sort(null);

        List<Node> targets = cluster.nodes().stream().filter(node -> isTarget(policy, node)).toList();
        List<String> notReady = targets.stream().filter(node -> !isRuntimeReady(node))
                .map(node -> node.getMetadata().getName()).sorted().toList();

        List<PolicyConflict> conflicts = PolicyResolver.conflictsOf(policy, cluster.policies(), cluster.namespaces(),
                cluster.pods());
        List<String> conflictTexts = conflicts.stream()
                .map(c -> "namespace " + c.namespace() + " is also selected by SandboxPolicy " + c.otherPolicy()
                        + " at the same priority; " + c.winner() + " applies (name order)")
                .toList();

        SandboxPolicyStatus previous = policy.getStatus();
        List<Condition> conditions = new ArrayList<>();
        Condition runtimeClassCondition = runtimeClassCondition(runtimeClass, generation);
        Condition nodesCondition = nodesCondition(targets.size(), notReady, generation);
        conditions.add(readyCondition(runtimeClassCondition, nodesCondition, generation));
        conditions.add(runtimeClassCondition);
        conditions.add(nodesCondition);
        conditions.add(conflictedCondition(runtimeClass, conflictTexts, generation));
        conditions.replaceAll(c -> keepTransitionTime(c, previous));

        SandboxPolicyStatus status = new SandboxPolicyStatus();
        status.setObservedGeneration(generation);
        status.setConditions(conditions);
        status.setMatchedNamespaces(matched);
        status.setSandboxedPods(sandboxed.size());
        status.setUnsandboxedPods(unsandboxed.size());
        status.setTargetNodes(targets.size());
        status.setReadyNodes(targets.size() - notReady.size());
        return new PolicyObservation(status, unsandboxed, sandboxed, conflictTexts);
    }

    /** Finished pods hold no sandbox; counting them would report ghosts. */
    static boolean isFinished(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    static boolean isTarget(SandboxPolicy policy, Node node) {
        var scheduling = Policies.spec(policy).getScheduling();
        Map<String, String> selector = scheduling == null || scheduling.getNodeSelector() == null ? Map.of()
                : scheduling.getNodeSelector();
        Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of()
                : node.getMetadata().getLabels();
        return selector.entrySet().stream().allMatch(e -> Objects.equals(labels.get(e.getKey()), e.getValue()));
    }

    static boolean isRuntimeReady(Node node) {
        Map<String, String> labels = node.getMetadata().getLabels();
        String version = labels == null ? null : labels.get(SandboxAnnotations.RUNTIME_READY_NODE_LABEL);
        return version != null && !version.isBlank();
    }

    private Condition runtimeClassCondition(RuntimeClassState state, long generation) {
        return switch (state) {
            case RuntimeClassState.InSync s -> condition(ConditionTypes.RUNTIME_CLASS_READY, true, "InSync",
                    "RuntimeClass " + s.runtimeClassName() + " (handler " + s.handler() + ") matches the policy",
                    generation);
            case RuntimeClassState.OwnedByOtherPolicy o -> condition(ConditionTypes.RUNTIME_CLASS_READY, false,
                    "OwnedByOtherPolicy", "RuntimeClass " + o.runtimeClassName() + " belongs to SandboxPolicy "
                            + o.owner() + "; choose another runtimeClassName",
                    generation);
            case RuntimeClassState.Failed f -> condition(ConditionTypes.RUNTIME_CLASS_READY, false,
                    "ReconcileFailed", "RuntimeClass " + f.runtimeClassName() + " could not be written: "
                            + f.message(),
                    generation);
        };
    }

    private Condition nodesCondition(int targets, List<String> notReady, long generation) {
        if (targets == 0) {
            return condition(ConditionTypes.NODES_READY, false, "NoTargetNodes",
                    "no node matches the policy's scheduling.nodeSelector", generation);
        }
        if (notReady.isEmpty()) {
            return condition(ConditionTypes.NODES_READY, true, "AllNodesReady",
                    "the runtime is ready on all " + targets + " target nodes", generation);
        }
        return condition(ConditionTypes.NODES_READY, false, "NodesNotReady",
                (targets - notReady.size()) + " of " + targets + " target nodes have the runtime ready; waiting for "
                        + names(notReady),
                generation);
    }

    private Condition readyCondition(Condition runtimeClass, Condition nodes, long generation) {
        if (!isTrue(runtimeClass)) {
            return condition(ConditionTypes.READY, false, "RuntimeClassNotReady", runtimeClass.getMessage(),
                    generation);
        }
        if (!isTrue(nodes)) {
            return condition(ConditionTypes.READY, false, nodes.getReason(), nodes.getMessage(), generation);
        }
        return condition(ConditionTypes.READY, true, "Ready", "pods this policy selects can run sandboxed",
                generation);
    }

    private Condition conflictedCondition(RuntimeClassState runtimeClass, List<String> conflicts, long generation) {
        if (runtimeClass instanceof RuntimeClassState.OwnedByOtherPolicy o) {
            return condition(ConditionTypes.CONFLICTED, true, "RuntimeClassTaken", "RuntimeClass "
                    + o.runtimeClassName() + " is owned by SandboxPolicy " + o.owner(), generation);
        }
        if (!conflicts.isEmpty()) {
            return condition(ConditionTypes.CONFLICTED, true, "EqualPriorityOverlap", names(conflicts), generation);
        }
        return condition(ConditionTypes.CONFLICTED, false, "NoConflict",
                "no other policy of equal priority selects the same pods", generation);
    }

    private Condition condition(String type, boolean status, String reason, String message, long generation) {
        return new ConditionBuilder()
                .withType(type)
                .withStatus(status ? "True" : "False")
                .withReason(reason)
                .withMessage(message)
                .withObservedGeneration(generation)
                .withLastTransitionTime(Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString())
                .build();
    }

    /** A condition keeps its lastTransitionTime while its status stays the same. */
    private static Condition keepTransitionTime(Condition fresh, SandboxPolicyStatus previous) {
        if (previous == null || previous.getConditions() == null) {
            return fresh;
        }
        return previous.getConditions().stream()
                .filter(old -> fresh.getType().equals(old.getType()) && fresh.getStatus().equals(old.getStatus()))
                .findFirst()
                .map(old -> new ConditionBuilder(fresh).withLastTransitionTime(old.getLastTransitionTime()).build())
                .orElse(fresh);
    }

    static boolean isTrue(Condition condition) {
        return "True".equals(condition.getStatus());
    }

    static String names(List<String> names) {
        List<String> sorted = names.stream().sorted(Comparator.naturalOrder()).toList();
        if (sorted.size() <= NAMES_IN_MESSAGE) {
            return String.join(", ", sorted);
        }
        return String.join(", ", sorted.subList(0, NAMES_IN_MESSAGE)) + " and " + (sorted.size() - NAMES_IN_MESSAGE)
                + " more";
    }
}
