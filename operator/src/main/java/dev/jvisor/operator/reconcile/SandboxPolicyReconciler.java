package dev.jvisor.operator.reconcile;

import dev.jvisor.api.v1alpha1.SandboxPolicy;
import dev.jvisor.api.v1alpha1.SandboxPolicyStatus;
import dev.jvisor.operator.config.OperatorConfig;
import dev.jvisor.operator.metrics.OperatorMetrics;
import dev.jvisor.operator.policy.Policies;
import dev.jvisor.operator.policy.PolicyResolver;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.dependent.ReconcileResult;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Reconciles one SandboxPolicy: writes its RuntimeClass (unless an older policy owns that name), deletes
 * RuntimeClasses it owned under a previous name, computes its status from the watched namespaces, pods and nodes,
 * and records Events for changes. Namespaces, pods and nodes are watched cluster-wide and any change that could
 * alter a status (labels, a pod's RuntimeClass or phase) re-reconciles every policy: policies are few, and
 * which ones a change concerns depends on all of them (priorities), so narrowing would only risk stale status.
 */
@ControllerConfiguration(name = SandboxPolicyReconciler.NAME)
public class SandboxPolicyReconciler implements Reconciler<SandboxPolicy>, Cleaner<SandboxPolicy> {

    public static final String NAME = "sandboxpolicy";
    private static final Logger LOG = Logger.getLogger(SandboxPolicyReconciler.class);

    private final RuntimeClassDependent runtimeClasses = new RuntimeClassDependent();
    private final PolicyStatusCalculator calculator;
    private final PolicyEvents events;
    private final OperatorMetrics metrics;
    private final OperatorConfig config;

    private volatile InformerEventSource<Namespace, SandboxPolicy> namespaces;
    private volatile InformerEventSource<Pod, SandboxPolicy> pods;
    private volatile InformerEventSource<Node, SandboxPolicy> nodes;

    public SandboxPolicyReconciler(PolicyStatusCalculator calculator, PolicyEvents events, OperatorMetrics metrics,
            OperatorConfig config) {
        this.calculator = calculator;
        this.events = events;
        this.metrics = metrics;
        this.config = config;
    }

    @Override
    public List<EventSource<?, SandboxPolicy>> prepareEventSources(EventSourceContext<SandboxPolicy> context) {
        SecondaryToPrimaryMapper<HasMetadata> everyPolicy = ignored -> context.getPrimaryCache().list()
                .map(ResourceID::fromResource).collect(Collectors.toSet());
        namespaces = new InformerEventSource<>(InformerEventSourceConfiguration
                .from(Namespace.class, SandboxPolicy.class)
                .withName("namespaces")
                .withSecondaryToPrimaryMapper(everyPolicy::toPrimaryResourceIDs)
                .withOnUpdateFilter(labelsChanged())
                .build(), context);
        pods = new InformerEventSource<>(InformerEventSourceConfiguration
                .from(Pod.class, SandboxPolicy.class)
                .withName("pods")
                .withWatchAllNamespaces()
                .withSecondaryToPrimaryMapper(everyPolicy::toPrimaryResourceIDs)
                .withOnUpdateFilter(SandboxPolicyReconciler.<Pod>labelsChanged().or(SandboxPolicyReconciler::podStateChanged))
                .build(), context);
        nodes = new InformerEventSource<>(InformerEventSourceConfiguration
                .from(Node.class, SandboxPolicy.class)
                .withName("nodes")
                .withSecondaryToPrimaryMapper(everyPolicy::toPrimaryResourceIDs)
                .withOnUpdateFilter(labelsChanged())
                .build(), context);
        // Which policy wins, and whether two conflict, depends on all of them: a policy created, changed or
        // deleted re-reconciles the others. Status-only writes keep the generation and are filtered out.
        InformerEventSource<SandboxPolicy, SandboxPolicy> otherPolicies = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(SandboxPolicy.class, SandboxPolicy.class)
                        .withName("other-policies")
                        .withSecondaryToPrimaryMapper(everyPolicy::toPrimaryResourceIDs)
                        .withOnUpdateFilter(SandboxPolicyReconciler::specOrLifecycleChanged)
                        .build(), context);
        List<EventSource<?, SandboxPolicy>> sources = new ArrayList<>();
        sources.add(runtimeClasses.initEventSource(context));
        sources.add(otherPolicies);
        sources.add(namespaces);
        sources.add(pods);
        sources.add(nodes);
        return sources;
    }

    @Override
    public UpdateControl<SandboxPolicy> reconcile(SandboxPolicy policy, Context<SandboxPolicy> context) {
        String name = Policies.name(policy);
        ClusterSnapshot cluster = snapshot(context);
        RuntimeClassState runtimeClass = reconcileRuntimeClass(policy, cluster, context);
        deleteRuntimeClassesUnderOldNames(policy, context);

        SandboxPolicyStatus previous = policy.getStatus();
        PolicyObservation observation = calculator.observe(policy, cluster, runtimeClass);
        reportChanges(policy, previous, observation);
        metrics.reconciled(name, runtimeClass instanceof RuntimeClassState.Failed ? "failed" : "ok");

        UpdateControl<SandboxPolicy> control;
        if (sameStatus(previous, observation.status())) {
            control = UpdateControl.noUpdate();
        } else {
            policy.setStatus(observation.status());
            control = UpdateControl.patchStatus(policy);
        }
        if (runtimeClass instanceof RuntimeClassState.Failed) {
            control.rescheduleAfter(config.retryAfterFailure().toMillis());
        }
        return control;
    }

    /**
     * Runs on deletion (the finalizer): removes the RuntimeClass this policy owns and reports the pods it leaves
     * behind. Running pods keep their sandbox (their RuntimeClass is fixed at creation); new pods in the
     * namespaces are no longer sandboxed by this policy. Nothing else is changed.
     */
    @Override
    public DeleteControl cleanup(SandboxPolicy policy, Context<SandboxPolicy> context) {
        String name = Policies.name(policy);
        List<String> removed = new ArrayList<>();
        for (RuntimeClass owned : ownedRuntimeClasses(policy, context)) {
            context.getClient().resource(owned).delete();
            removed.add(owned.getMetadata().getName());
        }
        SandboxPolicyStatus last = policy.getStatus();
        int sandboxed = last == null || last.getSandboxedPods() == null ? 0 : last.getSandboxedPods();
        List<String> matched = last == null || last.getMatchedNamespaces() == null ? List.of()
                : last.getMatchedNamespaces();
        events.warning(policy, "PolicyDeleted", "SandboxPolicy " + name + " deleted"
                + (removed.isEmpty() ? "" : "; removed RuntimeClass " + String.join(", ", removed))
                + ". " + sandboxed + " running pods keep their sandbox until they are recreated"
                + (matched.isEmpty() ? "" : "; new pods in " + PolicyStatusCalculator.names(matched)
                        + " are no longer sandboxed by it"));
        metrics.reconciled(name, "deleted");
        return DeleteControl.defaultDelete();
    }

    private RuntimeClassState reconcileRuntimeClass(SandboxPolicy policy, ClusterSnapshot cluster,
            Context<SandboxPolicy> context) {
        String runtimeClassName = Policies.runtimeClassName(policy);
        String owner = PolicyResolver.runtimeClassOwner(cluster.policies(), runtimeClassName)
                .map(Policies::name).orElse(Policies.name(policy));
        if (!owner.equals(Policies.name(policy))) {
            return new RuntimeClassState.OwnedByOtherPolicy(runtimeClassName, owner);
        }
        RuntimeClass existing = context.getClient().resources(RuntimeClass.class).withName(runtimeClassName).get();
        if (existing != null && !ownedBy(existing, policy)) {
            // Made by hand or by another tool: taking it over would change pods we never admitted.
            String holder = existing.getMetadata().getLabels() == null ? null
                    : existing.getMetadata().getLabels().get(OwnedLabels.POLICY);
            return new RuntimeClassState.OwnedByOtherPolicy(runtimeClassName,
                    holder == null ? "(not managed by jVisor)" : holder);
        }
        try {
            ReconcileResult<RuntimeClass> result = runtimeClasses.reconcile(policy, context);
            switch (result.getSingleOperation()) {
                case CREATED -> events.normal(policy, "RuntimeClassCreated", "created RuntimeClass "
                        + runtimeClassName + " with handler " + Policies.handler(policy));
                case UPDATED -> events.normal(policy, "RuntimeClassUpdated", "updated RuntimeClass "
                        + runtimeClassName + " to match the policy");
                default -> {
                }
            }
            return new RuntimeClassState.InSync(runtimeClassName, Policies.handler(policy));
        } catch (KubernetesClientException e) {
            LOG.warnf("SandboxPolicy %s: writing RuntimeClass %s failed: %s", Policies.name(policy),
                    runtimeClassName, e.getMessage());
            events.warning(policy, "RuntimeClassFailed", "could not write RuntimeClass " + runtimeClassName + ": "
                    + e.getMessage());
            return new RuntimeClassState.Failed(runtimeClassName, e.getMessage());
        }
    }

    /** After a runtimeClassName change, the class under the old name belongs to nobody's spec any more. */
    private void deleteRuntimeClassesUnderOldNames(SandboxPolicy policy, Context<SandboxPolicy> context) {
        String current = Policies.runtimeClassName(policy);
        for (RuntimeClass owned : ownedRuntimeClasses(policy, context)) {
            if (!owned.getMetadata().getName().equals(current)) {
                context.getClient().resource(owned).delete();
                events.normal(policy, "RuntimeClassDeleted", "deleted RuntimeClass " + owned.getMetadata().getName()
                        + " after runtimeClassName changed to " + current);
            }
        }
    }

    private static List<RuntimeClass> ownedRuntimeClasses(SandboxPolicy policy, Context<SandboxPolicy> context) {
        return context.getClient().resources(RuntimeClass.class)
                .withLabel(OwnedLabels.POLICY, Policies.name(policy))
                .list().getItems().stream()
                .filter(rc -> ownedBy(rc, policy))
                .toList();
    }

    private static boolean ownedBy(RuntimeClass runtimeClass, SandboxPolicy policy) {
        var labels = runtimeClass.getMetadata().getLabels();
        return labels != null && OwnedLabels.MANAGED_BY_VALUE.equals(labels.get(OwnedLabels.MANAGED_BY))
                && Policies.name(policy).equals(labels.get(OwnedLabels.POLICY));
    }

    private void reportChanges(SandboxPolicy policy, SandboxPolicyStatus previous, PolicyObservation now) {
        SandboxPolicyStatus status = now.status();
        List<String> before = previous == null || previous.getMatchedNamespaces() == null ? List.of()
                : previous.getMatchedNamespaces();
        if (previous != null && !before.equals(status.getMatchedNamespaces())) {
            List<String> added = status.getMatchedNamespaces().stream().filter(n -> !before.contains(n)).toList();
            List<String> dropped = before.stream().filter(n -> !status.getMatchedNamespaces().contains(n)).toList();
            events.normal(policy, "NamespacesChanged", "now selects " + status.getMatchedNamespaces().size()
                    + " namespaces" + (added.isEmpty() ? "" : "; added " + PolicyStatusCalculator.names(added))
                    + (dropped.isEmpty() ? "" : "; no longer selects " + PolicyStatusCalculator.names(dropped)
                            + " (pods running there are left as they are)"));
        }
        int unsandboxedBefore = previous == null || previous.getUnsandboxedPods() == null ? 0
                : previous.getUnsandboxedPods();
        if (status.getUnsandboxedPods() > unsandboxedBefore) {
            events.warning(policy, "UnsandboxedPods", status.getUnsandboxedPods() + " pods this policy selects run "
                    + "without RuntimeClass " + Policies.runtimeClassName(policy) + ": "
                    + PolicyStatusCalculator.names(now.unsandboxedPods()));
        }
        conditionChanged(previous, status, ConditionTypes.CONFLICTED).ifPresent(c -> {
            if (PolicyStatusCalculator.isTrue(c)) {
                events.warning(policy, c.getReason(), c.getMessage());
            } else {
                events.normal(policy, "ConflictResolved", c.getMessage());
            }
        });
        conditionChanged(previous, status, ConditionTypes.READY).ifPresent(c ->
                events.normal(policy, PolicyStatusCalculator.isTrue(c) ? "Ready" : "NotReady", c.getMessage()));
    }

    private static java.util.Optional<io.fabric8.kubernetes.api.model.Condition> conditionChanged(
            SandboxPolicyStatus previous, SandboxPolicyStatus now, String type) {
        var fresh = now.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
        String before = previous == null || previous.getConditions() == null ? null
                : previous.getConditions().stream().filter(c -> type.equals(c.getType()))
                        .map(c -> c.getStatus()).findFirst().orElse(null);
        return fresh.filter(c -> !c.getStatus().equals(before));
    }

    private ClusterSnapshot snapshot(Context<SandboxPolicy> context) {
        return new ClusterSnapshot(
                context.getPrimaryCache().list().toList(),
                namespaces.list().toList(),
                pods.list().toList(),
                nodes.list().toList());
    }

    private static boolean sameStatus(SandboxPolicyStatus a, SandboxPolicyStatus b) {
        if (a == null || b == null) {
            return a == b;
        }
        return Objects.equals(Serialization.jsonMapper().valueToTree(a), Serialization.jsonMapper().valueToTree(b));
    }

    private static <R extends HasMetadata> OnUpdateFilter<R> labelsChanged() {
        return (newer, older) -> !Objects.equals(newer.getMetadata().getLabels(), older.getMetadata().getLabels());
    }

    private static boolean specOrLifecycleChanged(SandboxPolicy newer, SandboxPolicy older) {
        return !Objects.equals(newer.getMetadata().getGeneration(), older.getMetadata().getGeneration())
                || !Objects.equals(newer.getMetadata().getDeletionTimestamp(),
                        older.getMetadata().getDeletionTimestamp());
    }

    private static boolean podStateChanged(Pod newer, Pod older) {
        return PolicyStatusCalculator.isFinished(newer) != PolicyStatusCalculator.isFinished(older)
                || !Objects.equals(newer.getSpec().getRuntimeClassName(), older.getSpec().getRuntimeClassName());
    }
}
