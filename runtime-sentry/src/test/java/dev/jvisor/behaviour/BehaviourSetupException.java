package dev.jvisor.behaviour;

/**
 * The suite could not prepare or run a case: a program did not compile, a rootfs could not be
 * built, a run timed out, a checked-in expectation is missing or malformed. Distinct from an
 * assertion failure, which means the behaviour itself differed.
 */
public final class BehaviourSetupException extends RuntimeException {
    public BehaviourSetupException(String message) {
        super(message);
    }

    public BehaviourSetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
