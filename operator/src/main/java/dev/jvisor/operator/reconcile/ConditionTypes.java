package dev.jvisor.operator.reconcile;

/** The condition types a SandboxPolicy's status carries. */
public final class ConditionTypes {

    /** The policy is in effect: its RuntimeClass exists and every target node has the runtime. */
    public static final String READY = "Ready";
    public static final String RUNTIME_CLASS_READY = "RuntimeClassReady";
    public static final String NODES_READY = "NodesReady";
    /** Another policy competes for the same pods at equal priority, or for the same RuntimeClass. */
    public static final String CONFLICTED = "Conflicted";

    private ConditionTypes() {
    }
}
