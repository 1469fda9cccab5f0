package dev.jvisor.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How application code traps into the Sentry. */
public enum Platform {
    /** PTRACE_SYSEMU on stub processes. */
    @JsonProperty("ptrace")
    PTRACE;

    /** The value as written in the API and in the {@code jvisor.dev/*} pod annotations. */
    public String wireName() {
        try {
            return Platform.class.getField(name()).getAnnotation(JsonProperty.class).value();
        } catch (NoSuchFieldException e) {
            throw new AssertionError("enum constant without a field: " + name(), e);
        }
    }
}
