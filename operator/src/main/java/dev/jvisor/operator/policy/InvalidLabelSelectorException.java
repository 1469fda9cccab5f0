package dev.jvisor.operator.policy;

/** A label selector that no Kubernetes API server would accept, e.g. an unknown operator or In without values. */
public final class InvalidLabelSelectorException extends RuntimeException {

    public InvalidLabelSelectorException(String message) {
        super(message);
    }
}
