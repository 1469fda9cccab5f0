package dev.jvisor.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A point in the Sentry that can report an event to the node agent. */
public enum TracePoint {
    /** Every system call. */
    @JsonProperty("syscall")
    SYSCALL,
    /** execve and execveat. */
    @JsonProperty("exec")
    EXEC,
    /** File opens. */
    @JsonProperty("open")
    OPEN,
    /** Socket connects. */
    @JsonProperty("connect")
    CONNECT,
    /** New tasks. */
    @JsonProperty("clone")
    CLONE,
    /** Task exits. */
    @JsonProperty("exit")
    EXIT;

    /** The value as written in the API and in the {@code jvisor.dev/*} pod annotations. */
    public String wireName() {
        try {
            return TracePoint.class.getField(name()).getAnnotation(JsonProperty.class).value();
        } catch (NoSuchFieldException e) {
            throw new AssertionError("enum constant without a field: " + name(), e);
        }
    }
}
