/**
 * A real node on this machine: a private containerd (its own config, root, state and sockets
 * under a temporary directory, never the host's), a busybox OCI image built locally and
 * imported without a registry, and jVisor's runsc driven through containerd's stock
 * {@code containerd-shim-runc-v2} exactly as a node would drive it: through {@code ctr}, and
 * through CRI as kubelet does ({@link dev.jvisor.kindtests.node.KubeletPod}, with the runtime
 * handlers {@code jvisor} and {@code runc}). What the tests leave behind is looked for on the
 * host itself ({@link dev.jvisor.kindtests.node.NodeTraces}, {@link dev.jvisor.kindtests.node.Sentries}).
 * Tests here skip, saying why, when containerd or the built runtime distribution is missing.
 */
package dev.jvisor.kindtests.node;
