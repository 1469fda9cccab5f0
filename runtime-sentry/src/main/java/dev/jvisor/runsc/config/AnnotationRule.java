package dev.jvisor.runsc.config;

/** Whether a pod's {@code jvisor.dev/<key>} annotation may set a setting. */
public enum AnnotationRule {
    /** Only the node chooses (host paths, debugging that writes application data to host logs). */
    NEVER,
    /** A pod may only move the setting toward more isolation, never away from the node's choice. */
    TIGHTEN_ONLY
}
