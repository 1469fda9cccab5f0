package dev.jvisor.nodeagent.policy;

/** The policy socket cannot be served at its path safely (an unsafe directory, a file in the way). */
public final class PolicySocketException extends Exception {

    public PolicySocketException(String message, Throwable cause) {
        super(message, cause);
    }
}
