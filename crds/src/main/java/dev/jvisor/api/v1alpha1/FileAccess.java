package dev.jvisor.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Whether anything besides the sandbox changes the container's files. */
public enum FileAccess {
    /** Only the sandbox does; caches are kept. */
    @JsonProperty("exclusive")
    EXCLUSIVE,
    /** Others may; caches revalidate. */
    @JsonProperty("shared")
    SHARED;

    /** The value as written in the API and in the {@code jvisor.dev/*} pod annotations. */
    public String wireName() {
        try {
            return FileAccess.class.getField(name()).getAnnotation(JsonProperty.class).value();
        } catch (NoSuchFieldException e) {
            throw new AssertionError("enum constant without a field: " + name(), e);
        }
    }
}
