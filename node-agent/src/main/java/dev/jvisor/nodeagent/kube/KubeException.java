package dev.jvisor.nodeagent.kube;

/** The Kubernetes API could not be read or updated as the agent needs. */
public final class KubeException extends Exception {

    public KubeException(String detail, Throwable cause) {
        super(cause == null ? detail : detail + ": " + cause.getMessage(), cause);
    }
}
