/**
 * The node agent's word on a pod, asked at {@code create}: runsc sends the pod's identity (from
 * the CRI annotations) and its {@code jvisor.dev/*} requests to the agent's
 * {@code SandboxPolicyService} on a host unix socket, refuses a pod the agent denies, and runs
 * an allowed one with the strictest of the node's settings, the policy's and the pod's own.
 *
 * <p>The same agent hears from the sandbox while it runs: {@link
 * dev.jvisor.runsc.policy.SandboxEventReporter} streams boot's events (started, refused syscalls
 * folded into counts, OOM kills, exit) to its {@code StreamEvents} from one background thread,
 * dropping and counting what the agent cannot take, so the sandbox never waits for it.
 *
 * <p>{@link dev.jvisor.runsc.policy.PodPolicy} is create's entry point. It touches gRPC only
 * through {@link dev.jvisor.runsc.policy.PolicyClient} and only when {@code policy-socket} is
 * configured (the reporter only through {@link dev.jvisor.runsc.policy.EventChannel}, likewise),
 * so every other runsc call starts without loading a gRPC class (its jars sit in the
 * distribution's {@code lib/policy/}).
 */
package dev.jvisor.runsc.policy;
