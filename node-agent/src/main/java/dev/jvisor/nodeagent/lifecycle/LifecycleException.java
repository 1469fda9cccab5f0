package dev.jvisor.nodeagent.lifecycle;

/**
 * An install or uninstall step failed. {@link Step} names the step; the cause is the typed failure
 * of the layer that performed it (host, containerd config, CRI, Kubernetes, restart command).
 */
public final class LifecycleException extends Exception {

    /** The step that failed. */
    public enum Step { LOCK, JOURNAL, PLAN, COPY, CONFIGURE, RESTART, WAIT_READY, PROBE, LABEL, UNLABEL, RESTORE, REMOVE }

    private final Step step;

    public LifecycleException(Step step, Throwable cause) {
        super(step + " failed: " + cause.getMessage(), cause);
        this.step = step;
    }

    public LifecycleException(Step step, String detail) {
        super(step + " failed: " + detail);
        this.step = step;
    }

    public Step step() {
        return step;
    }
}
