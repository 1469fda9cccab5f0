package dev.jvisor.runsc.policy;

/** The node agent did not answer: no socket, nothing listening, a timeout, or a broken answer. */
public final class PolicyUnavailableException extends Exception {

    public PolicyUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
