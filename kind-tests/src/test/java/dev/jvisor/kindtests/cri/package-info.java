/**
 * A client of the Kubernetes Container Runtime Interface (CRI v1) for tests: kubelet's gRPC calls
 * to a container runtime's unix socket ({@link dev.jvisor.kindtests.cri.CriClient}), with every
 * failure a typed {@link dev.jvisor.kindtests.cri.CriCallException} naming the call; and readers of
 * what the runtime hands back: container log files in the CRI format
 * ({@link dev.jvisor.kindtests.cri.CriLogFile}) and the verbose status info
 * ({@link dev.jvisor.kindtests.cri.VerboseInfo}). The messages are compiled from
 * the node agent's {@code node-agent/src/main/proto/cri_v1_subset.proto} (one definition of CRI v1
 * for the agent and these tests) into {@code dev.jvisor.cri.v1}.
 */
package dev.jvisor.kindtests.cri;
