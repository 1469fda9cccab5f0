/**
 * A client of the Kubernetes Container Runtime Interface (CRI v1) for tests: kubelet's gRPC calls
 * to a container runtime's unix socket ({@link dev.jvisor.kindtests.cri.CriClient}), with every
 * failure a typed {@link dev.jvisor.kindtests.cri.CriCallException} naming the call; and readers of
 * what the runtime hands back: container log files in the CRI format
 * ({@link dev.jvisor.kindtests.cri.CriLogFile}) and the verbose status info
 * ({@link dev.jvisor.kindtests.cri.VerboseInfo}). The messages are compiled from
 * {@code src/test/proto/cri_v1_subset.proto} into {@code dev.jvisor.kindtests.cri.v1}.
 */
package dev.jvisor.kindtests.cri;
