package dev.jvisor.runsc.state;

import dev.jvisor.runsc.cli.RunscException;

/** An id that could name something outside the state directory, or is otherwise not acceptable. */
public final class InvalidContainerIdException extends RunscException {
    public InvalidContainerIdException(String message) {
        super(message);
    }
}
