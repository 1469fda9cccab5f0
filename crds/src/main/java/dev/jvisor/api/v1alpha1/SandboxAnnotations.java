package dev.jvisor.api.v1alpha1;

/**
 * The pod annotations and node labels through which the operator, the node agent and runsc agree on a pod's
 * sandbox. The mutating webhook writes the pod annotations from the winning policy; runsc reads them (bounded by
 * the node agent's policy); the node agent writes the node label.
 */
public final class SandboxAnnotations {

    private static final String P = SandboxPolicy.ANNOTATION_PREFIX;

    /** The name of the SandboxPolicy that admitted the pod. */
    public static final String POLICY = P + "policy";
    public static final String PLATFORM = P + "platform";
    public static final String NETWORK = P + "network";
    public static final String FILE_ACCESS = P + "file-access";
    /** {@code true} (writes stay in a memory overlay) or {@code false}, as runsc's overlay setting. */
    public static final String ROOT_OVERLAY = P + "overlay";
    /** Comma-separated syscall names. */
    public static final String SYSCALL_DENY = P + "syscall-deny";
    /** {@code errno:EPERM} or {@code kill}. */
    public static final String SYSCALL_ACTION = P + "syscall-action";
    /** Comma-separated trace point names. */
    public static final String MONITORING = P + "monitoring";
    public static final String DEBUG = P + "debug";
    public static final String STRACE = P + "strace";

    /** Node label the node agent sets to the installed runtime version once the handler works on the node. */
    public static final String RUNTIME_READY_NODE_LABEL = P + "runtime-ready";

    /** The pre-RuntimeClass way to ask containerd for an untrusted-workload runtime; translated on admission. */
    public static final String LEGACY_UNTRUSTED_WORKLOAD = "io.kubernetes.cri.untrusted-workload";

    private SandboxAnnotations() {
    }
}
