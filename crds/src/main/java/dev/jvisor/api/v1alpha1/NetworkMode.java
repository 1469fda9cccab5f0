package dev.jvisor.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The sandbox's network. */
public enum NetworkMode {
    /** Loopback only. */
    @JsonProperty("none")
    NONE,
    /** The Sentry's own stack in the pod's network namespace. */
    @JsonProperty("sandbox")
    SANDBOX,
    /** Host sockets proxied by the Sentry. */
    @JsonProperty("host")
    HOST;

    /** The value as written in the API and in the {@code jvisor.dev/*} pod annotations. */
    public String wireName() {
        try {
            return NetworkMode.class.getField(name()).getAnnotation(JsonProperty.class).value();
        } catch (NoSuchFieldException e) {
            throw new AssertionError("enum constant without a field: " + name(), e);
        }
    }
}
