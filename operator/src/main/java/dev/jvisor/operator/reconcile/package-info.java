/**
 * The SandboxPolicy controller: owns each policy's RuntimeClass (a dependent resource with a pure
 * {@code desired()}), computes the policy's status from the namespaces, pods and nodes it watches, records
 * Events on changes people should see, and removes the RuntimeClass through its finalizer. Existing pods are only
 * ever reported on, never changed.
 */
package dev.jvisor.operator.reconcile;
