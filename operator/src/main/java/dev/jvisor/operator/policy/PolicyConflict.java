package dev.jvisor.operator.policy;

/**
 * Two policies of equal priority that both govern pods in {@code namespace}; {@code winner} is the one whose name
 * sorts first, which is what admission applies.
 */
public record PolicyConflict(String namespace, String policy, String otherPolicy, String winner) {
}
