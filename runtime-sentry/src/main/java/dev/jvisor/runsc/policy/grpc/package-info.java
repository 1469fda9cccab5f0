/**
 * runsc's gRPC client of the node agent's {@code SandboxPolicyService}: the policy lookup at create
 * and boot's event stream. The only runsc code
 * that names a gRPC or protobuf class; in the distribution it is loaded, with gRPC's jars from
 * {@code lib/policy/}, by {@link dev.jvisor.runsc.policy.PolicyJars}.
 */
package dev.jvisor.runsc.policy.grpc;
