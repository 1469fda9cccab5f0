package dev.jvisor.operator.reconcile;

/** What happened to a policy's RuntimeClass in this reconcile, as input to its status. */
public sealed interface RuntimeClassState {

    /** The RuntimeClass matches the policy. */
    record InSync(String runtimeClassName, String handler) implements RuntimeClassState {
    }

    /** Another (older) policy owns the RuntimeClass of that name; this one leaves it alone. */
    record OwnedByOtherPolicy(String runtimeClassName, String owner) implements RuntimeClassState {
    }

    /** Creating or updating the RuntimeClass failed; the API server's message. */
    record Failed(String runtimeClassName, String message) implements RuntimeClassState {
    }
}
