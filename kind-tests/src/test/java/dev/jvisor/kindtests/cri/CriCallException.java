package dev.jvisor.kindtests.cri;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** A CRI call that the runtime answered with an error status, or that did not complete in time. */
public final class CriCallException extends RuntimeException {
    private final String method;
    private final transient Status status;

    CriCallException(String method, StatusRuntimeException cause) {
        super(method + ": " + cause.getStatus().getCode() + ": " + cause.getStatus().getDescription(), cause);
        this.method = method;
        this.status = cause.getStatus();
    }

    /** The CRI method, e.g. {@code RunPodSandbox}. */
    public String method() {
        return method;
    }

    /** The gRPC status: code and the runtime's description. */
    public Status status() {
        return status;
    }

    /** The runtime's error text ("" when it gave none). */
    public String description() {
        return status.getDescription() == null ? "" : status.getDescription();
    }
}
