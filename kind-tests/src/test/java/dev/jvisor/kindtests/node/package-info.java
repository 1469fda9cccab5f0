/**
 * A real node on this machine: a private containerd (its own config, root, state and sockets
 * under a temporary directory, never the host's), a busybox OCI image built locally and
 * imported without a registry, and jVisor's runsc driven through containerd's stock
 * {@code containerd-shim-runc-v2} exactly as a node would drive it. Tests here skip, saying why,
 * when containerd or the built runtime distribution is missing.
 */
package dev.jvisor.kindtests.node;
