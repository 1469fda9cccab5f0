/**
 * The jVisor operator: turns SandboxPolicies into RuntimeClasses, status and Events ({@code reconcile}), and into
 * pod admission decisions ({@code admission}); the rules both share live in {@code policy}, typed configuration in
 * {@code config}, and the webhook serving certificate in {@code tls}.
 */
package dev.jvisor.operator;
