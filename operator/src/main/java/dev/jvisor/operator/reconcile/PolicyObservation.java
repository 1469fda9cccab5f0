package dev.jvisor.operator.reconcile;

import dev.jvisor.api.v1alpha1.SandboxPolicyStatus;
import java.util.List;

/**
 * A computed status plus what went into it that the status itself does not name: the unsandboxed pods
 * ({@code namespace/name}) and the conflict descriptions, which Events report.
 */
public record PolicyObservation(SandboxPolicyStatus status, List<String> unsandboxedPods,
        List<String> sandboxedPods, List<String> conflicts) {

    public PolicyObservation {
        unsandboxedPods = List.copyOf(unsandboxedPods);
        sandboxedPods = List.copyOf(sandboxedPods);
        conflicts = List.copyOf(conflicts);
    }
}
