package dev.jvisor.operator.policy;

import dev.jvisor.api.v1alpha1.Enforcement;
import dev.jvisor.api.v1alpha1.SandboxPolicy;
import dev.jvisor.api.v1alpha1.SandboxPolicySpec;
import dev.jvisor.api.v1alpha1.SandboxSettings;
import io.fabric8.kubernetes.api.model.LabelSelector;

/**
 * Null-safe reads of a policy's spec. The API server fills in schema defaults, but policies built in code or
 * stored before a field existed may still lack them; every reader goes through here so the defaults live once.
 */
public final class Policies {

    private Policies() {
    }

    public static String name(SandboxPolicy policy) {
        return policy.getMetadata().getName();
    }

    public static SandboxPolicySpec spec(SandboxPolicy policy) {
        return policy.getSpec() == null ? new SandboxPolicySpec() : policy.getSpec();
    }

    public static LabelSelector namespaceSelector(SandboxPolicy policy) {
        LabelSelector selector = spec(policy).getNamespaceSelector();
        return selector == null ? SandboxPolicySpec.defaultNamespaceSelector() : selector;
    }

    public static int priority(SandboxPolicy policy) {
        Integer priority = spec(policy).getPriority();
        return priority == null ? 0 : priority;
    }

    public static Enforcement enforcement(SandboxPolicy policy) {
        Enforcement enforcement = spec(policy).getEnforcement();
        return enforcement == null ? Enforcement.ENFORCE : enforcement;
    }

    public static String runtimeClassName(SandboxPolicy policy) {
        String name = spec(policy).getRuntimeClassName();
        return name == null ? SandboxPolicySpec.DEFAULT_RUNTIME_CLASS : name;
    }

    public static String handler(SandboxPolicy policy) {
        String handler = spec(policy).getHandler();
        return handler == null ? SandboxPolicySpec.DEFAULT_HANDLER : handler;
    }

    public static SandboxSettings sandbox(SandboxPolicy policy) {
        SandboxSettings sandbox = spec(policy).getSandbox();
        return sandbox == null ? new SandboxSettings() : sandbox;
    }

    /** A policy being deleted no longer governs anything, even while its finalizer runs. */
    public static boolean isLive(SandboxPolicy policy) {
        return policy.getMetadata().getDeletionTimestamp() == null;
    }
}
