package dev.jvisor.operator.reconcile;

import dev.jvisor.api.v1alpha1.SandboxAnnotations;

/** Labels the operator puts on what it creates, so it can find (and only ever touch) its own objects. */
public final class OwnedLabels {

    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY_VALUE = "jvisor-operator";
    /** The SandboxPolicy a RuntimeClass belongs to; same key as the pod annotation naming the policy. */
    public static final String POLICY = SandboxAnnotations.POLICY;

    private OwnedLabels() {
    }
}
