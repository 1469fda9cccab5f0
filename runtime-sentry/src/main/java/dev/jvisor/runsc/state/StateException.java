package dev.jvisor.runsc.state;

import dev.jvisor.runsc.cli.RunscException;

/** The state directory could not be read or written, or holds something runsc did not write. */
public final class StateException extends RunscException {
    public StateException(String message) {
        super(message);
    }

    public StateException(String message, Throwable cause) {
        super(message, cause);
    }
}
