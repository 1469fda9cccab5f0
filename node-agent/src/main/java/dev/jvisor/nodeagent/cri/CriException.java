package dev.jvisor.nodeagent.cri;

/** containerd's CRI did not answer, or answered that something is wrong. */
public final class CriException extends Exception {

    /** What the CRI check found. */
    public enum Reason {
        /** The socket does not answer (containerd down or restarting). */
        UNAVAILABLE,
        /** containerd answers but reports its runtime not ready. */
        RUNTIME_NOT_READY,
        /** containerd does not list the runtime handler. */
        HANDLER_MISSING,
        /** A probe sandbox in the handler could not be run, or ran wrongly. */
        PROBE_FAILED
    }

    private final Reason reason;

    public CriException(Reason reason, String detail) {
        this(reason, detail, null);
    }

    public CriException(Reason reason, String detail, Throwable cause) {
        super(reason + ": " + detail, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
