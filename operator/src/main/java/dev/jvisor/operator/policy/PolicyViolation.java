package dev.jvisor.operator.policy;

/** One reason a SandboxPolicy is refused: the offending field path and a sentence saying what is wrong. */
public record PolicyViolation(String field, String message) {

    @Override
    public String toString() {
        return field + ": " + message;
    }
}
