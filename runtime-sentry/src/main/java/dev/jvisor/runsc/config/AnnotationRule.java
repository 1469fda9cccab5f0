package dev.jvisor.runsc.config;

/**
 * Whether a pod's {@code jvisor.dev/<key>} annotation may set a setting. The annotation's value
 * is spelled as the setting's flag and config file value are ({@code jvisor.dev/overlay: true}).
 */
public enum AnnotationRule {
    /**
     * Only the node chooses (host paths, the platform, the policy service). An annotation that
     * names the value the node already has changes nothing and is accepted; any other is refused.
     */
    NEVER,
    /** A pod may only move the setting toward more isolation, never away from the node's choice. */
    TIGHTEN_ONLY
}
