package dev.jvisor.runsc.cgroup;

import dev.jvisor.runsc.cli.RunscException;

/** The container's cgroup could not be found, made, written or read. */
public final class CgroupException extends RunscException {
    public CgroupException(String message) {
        super(message);
    }

    public CgroupException(String message, Throwable cause) {
        super(message, cause);
    }
}
