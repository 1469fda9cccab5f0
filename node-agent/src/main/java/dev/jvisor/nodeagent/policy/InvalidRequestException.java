package dev.jvisor.nodeagent.policy;

/** A request the agent will not consider: a malformed pod identity or an unknown setting value. */
final class InvalidRequestException extends Exception {

    InvalidRequestException(String message) {
        super(message);
    }
}
