/**
 * The node agent's word on a pod, asked at {@code create}: runsc sends the pod's identity (from
 * the CRI annotations) and its {@code jvisor.dev/*} requests to the agent's
 * {@code SandboxPolicyService} on a host unix socket, refuses a pod the agent denies, and runs
 * an allowed one with the strictest of the node's settings, the policy's and the pod's own.
 *
 * <p>{@link dev.jvisor.runsc.policy.PodPolicy} is the only entry point. It touches gRPC only
 * through {@link dev.jvisor.runsc.policy.PolicyClient} and only when {@code policy-socket} is
 * configured, so every other runsc call starts without loading a gRPC class (its jars sit in the
 * distribution's {@code lib/policy/}).
 */
package dev.jvisor.runsc.policy;
