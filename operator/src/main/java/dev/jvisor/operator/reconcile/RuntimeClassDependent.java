package dev.jvisor.operator.reconcile;

import dev.jvisor.api.v1alpha1.SandboxPolicy;
import dev.jvisor.operator.policy.Policies;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClassBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.Updater;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The RuntimeClass a SandboxPolicy owns. Driven by the reconciler (not a managed workflow) because it must not be
 * touched when another policy owns a RuntimeClass of the same name; deleted explicitly by the reconciler's
 * cleanup, with an owner reference as the garbage collector's backstop.
 */
public class RuntimeClassDependent extends KubernetesDependentResource<RuntimeClass, SandboxPolicy>
        implements Creator<RuntimeClass, SandboxPolicy>, Updater<RuntimeClass, SandboxPolicy> {

    public RuntimeClassDependent() {
        super(RuntimeClass.class);
    }

    /** The RuntimeClass for {@code policy}: a pure function of the policy, nothing read from the cluster. */
    public static RuntimeClass desiredFor(SandboxPolicy policy) {
        var spec = Policies.spec(policy);
        RuntimeClassBuilder builder = new RuntimeClassBuilder()
                .withNewMetadata()
                .withName(Policies.runtimeClassName(policy))
                .addToLabels(OwnedLabels.MANAGED_BY, OwnedLabels.MANAGED_BY_VALUE)
                .addToLabels(OwnedLabels.POLICY, Policies.name(policy))
                .endMetadata()
                .withHandler(Policies.handler(policy));
        if (spec.getOverhead() != null && spec.getOverhead().getPodFixed() != null
                && !spec.getOverhead().getPodFixed().isEmpty()) {
            builder.withNewOverhead().withPodFixed(Map.copyOf(spec.getOverhead().getPodFixed())).endOverhead();
        }
        var scheduling = spec.getScheduling();
        if (scheduling != null) {
            Map<String, String> nodeSelector = scheduling.getNodeSelector() == null ? Map.of()
                    : scheduling.getNodeSelector();
            List<Toleration> tolerations = scheduling.getTolerations() == null ? List.of()
                    : scheduling.getTolerations();
            if (!nodeSelector.isEmpty() || !tolerations.isEmpty()) {
                builder.withNewScheduling()
                        .withNodeSelector(nodeSelector.isEmpty() ? null : Map.copyOf(nodeSelector))
                        .withTolerations(tolerations.isEmpty() ? null : List.copyOf(tolerations))
                        .endScheduling();
            }
        }
        return builder.build();
    }

    @Override
    protected RuntimeClass desired(SandboxPolicy policy, Context<SandboxPolicy> context) {
        return desiredFor(policy);
    }

    /** The RuntimeClass is named by the spec, not after the policy. */
    @Override
    protected ResourceID targetSecondaryResourceID(SandboxPolicy policy, Context<SandboxPolicy> context) {
        return new ResourceID(Policies.runtimeClassName(policy));
    }

    @Override
    protected Optional<RuntimeClass> selectTargetSecondaryResource(Set<RuntimeClass> secondaries,
            SandboxPolicy policy, Context<SandboxPolicy> context) {
        String name = Policies.runtimeClassName(policy);
        return secondaries.stream().filter(rc -> name.equals(rc.getMetadata().getName())).findFirst();
    }

    /**
     * A RuntimeClass event concerns every policy naming it, not only its owner: when the owner goes away, a policy
     * that was refused the name takes over.
     */
    @Override
    protected Optional<SecondaryToPrimaryMapper<RuntimeClass>> getSecondaryToPrimaryMapper(
            EventSourceContext<SandboxPolicy> context) {
        return Optional.of(runtimeClass -> {
            String name = runtimeClass.getMetadata().getName();
            Set<ResourceID> policies = new HashSet<>();
            context.getPrimaryCache().list(p -> Policies.runtimeClassName(p).equals(name))
                    .forEach(p -> policies.add(ResourceID.fromResource(p)));
            Map<String, String> labels = runtimeClass.getMetadata().getLabels();
            if (labels != null && labels.get(OwnedLabels.POLICY) != null) {
                policies.add(new ResourceID(labels.get(OwnedLabels.POLICY)));
            }
            return policies;
        });
    }

    @Override
    protected boolean addOwnerReference() {
        return true;
    }

    /**
     * The operator is the only writer of its RuntimeClasses, so a plain update is enough; server-side apply
     * would add nothing here.
     */
    @Override
    protected boolean useSSA(Context<SandboxPolicy> context) {
        return false;
    }

    /** A RuntimeClass's handler is immutable in the API; changing it means replacing the object. */
    @Override
    public RuntimeClass update(RuntimeClass actual, RuntimeClass desired, SandboxPolicy policy,
            Context<SandboxPolicy> context) {
        if (!actual.getHandler().equals(desired.getHandler())) {
            context.getClient().resource(actual).withTimeout(30, java.util.concurrent.TimeUnit.SECONDS).delete();
            return create(desired, policy, context);
        }
        return super.update(actual, desired, policy, context);
    }
}
