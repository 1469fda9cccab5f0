/**
 * The node agent's per-pod service for the sandboxes on its node ({@code jvisor.node.v1}
 * {@code SandboxPolicyService}, served on a host unix socket): the authoritative sandbox
 * settings of a pod, decided from the SandboxPolicy objects the agent watches, and the
 * sandboxes' monitoring events, counted into metrics and recorded as Kubernetes Events on
 * their pods. runsc is the client ({@code dev.jvisor.runsc.policy}).
 *
 * <p>A pod is allowed only if it exists with the uid runsc names and a live SandboxPolicy
 * governs it; everything else gets a denial with its reason. The pod's own requests may only
 * tighten the policy's settings.
 */
package dev.jvisor.nodeagent.policy;
