package dev.jvisor.runsc.state;

import dev.jvisor.runsc.cli.RunscException;

/** No container of this id is recorded. The message contains "does not exist", which the containerd shim matches. */
public final class ContainerNotFoundException extends RunscException {
    public ContainerNotFoundException(String id) {
        super("container \"" + id + "\" does not exist");
    }
}
