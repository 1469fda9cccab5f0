package dev.jvisor.runsc.state;

import dev.jvisor.runsc.cli.RunscException;

/** A container of this id is already recorded. */
public final class ContainerExistsException extends RunscException {
    public ContainerExistsException(String id) {
        super("container \"" + id + "\" already exists");
    }
}
