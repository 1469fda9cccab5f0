package dev.jvisor.operator.policy;

import dev.jvisor.api.v1alpha1.SandboxPolicy;
import java.util.List;

/**
 * The outcome of resolving which policy governs a pod: the {@code winner}, and the other matching policies of the
 * same priority that lost only on the name tie-break (non-empty means the choice is a conflict to report).
 */
public record Resolution(SandboxPolicy winner, List<SandboxPolicy> tiedWith) {

    public Resolution {
        tiedWith = List.copyOf(tiedWith);
    }

    public boolean conflicted() {
        return !tiedWith.isEmpty();
    }
}
