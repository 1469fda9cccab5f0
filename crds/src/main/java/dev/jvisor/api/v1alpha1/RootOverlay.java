package dev.jvisor.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where writes to the root filesystem go. */
public enum RootOverlay {
    /** A tmpfs upper layer in sandbox memory. */
    @JsonProperty("memory")
    MEMORY,
    /** Through the Gofer to the rootfs. */
    @JsonProperty("none")
    NONE;

    /**
     * The value as written in the API. The {@code jvisor.dev/overlay} pod annotation is spelled as
     * runsc's boolean overlay setting instead: {@code true} for MEMORY, {@code false} for NONE.
     */
    public String wireName() {
        try {
            return RootOverlay.class.getField(name()).getAnnotation(JsonProperty.class).value();
        } catch (NoSuchFieldException e) {
            throw new AssertionError("enum constant without a field: " + name(), e);
        }
    }
}
