package dev.jvisor.runsc.cli;

/**
 * A failure runsc reports to its caller: one line in the error log and a non-zero exit status.
 * Subclasses say what kind; the message is what the containerd shim shows its user, so it is
 * written for them.
 */
public class RunscException extends Exception {
    private final int exitStatus;

    public RunscException(String message) {
        this(message, 1, null);
    }

    public RunscException(String message, Throwable cause) {
        this(message, 1, cause);
    }

    protected RunscException(String message, int exitStatus, Throwable cause) {
        super(message, cause);
        if (exitStatus == 0) throw new IllegalArgumentException("an error must exit non-zero");
        this.exitStatus = exitStatus;
    }

    /** The process exit status this failure gives. */
    public int exitStatus() {
        return exitStatus;
    }
}
