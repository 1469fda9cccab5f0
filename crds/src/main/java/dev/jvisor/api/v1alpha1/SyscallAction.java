package dev.jvisor.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a denied system call does. */
public enum SyscallAction {
    /** It fails with the filter's errno. */
    @JsonProperty("errno")
    ERRNO,
    /** The calling thread group is killed with SIGSYS. */
    @JsonProperty("kill")
    KILL;

    /** The value as written in the API and in the {@code jvisor.dev/*} pod annotations. */
    public String wireName() {
        try {
            return SyscallAction.class.getField(name()).getAnnotation(JsonProperty.class).value();
        } catch (NoSuchFieldException e) {
            throw new AssertionError("enum constant without a field: " + name(), e);
        }
    }
}
