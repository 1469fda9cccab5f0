package dev.jvisor.sentry.mounts;

/** A mount of the bundle that cannot be made: the message names the mount and what is wrong. */
public final class MountSpecException extends Exception {
    private static final long serialVersionUID = 1L;

    public MountSpecException(String message) {
        super(message);
    }
}
