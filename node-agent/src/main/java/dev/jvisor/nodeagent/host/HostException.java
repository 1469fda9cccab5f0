package dev.jvisor.nodeagent.host;

/** A host operation (lock, install, removal) failed; {@link Reason} says which kind of failure. */
public final class HostException extends Exception {

    /** What went wrong on the host. */
    public enum Reason {
        /** The distribution directory is not a runtime distribution (no bin/runsc, an unsafe entry). */
        INVALID_DISTRIBUTION,
        /** The version string cannot name a directory safely. */
        INVALID_VERSION,
        /** Another agent held the host lock for longer than we wait. */
        LOCK_TIMEOUT,
        /** A path we must own on the host is something else (a symlink, a directory). */
        UNEXPECTED_HOST_FILE,
        /** The journal of a previous run cannot be read. */
        CORRUPT_JOURNAL,
        /** Reading or writing host files failed. */
        IO_ERROR
    }

    private final Reason reason;

    public HostException(Reason reason, String detail) {
        this(reason, detail, null);
    }

    public HostException(Reason reason, String detail, Throwable cause) {
        super(reason + ": " + detail, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
