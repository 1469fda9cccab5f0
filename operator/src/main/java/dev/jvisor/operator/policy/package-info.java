/**
 * Pure policy rules shared by the reconciler and the admission webhooks: label selector matching, which policy
 * governs a pod or namespace (priority, then name; ties reported as conflicts), what a policy is allowed to say
 * (validation with messages for people), and the {@code jvisor.dev/*} annotations a policy puts on its pods.
 * Nothing here talks to the API server, so all of it is unit-tested directly.
 */
package dev.jvisor.operator.policy;
