package dev.jvisor.operator.admission;

/** Cluster state needed for a decision could not be read; the request is refused, never waved through. */
public final class ClusterLookupException extends Exception {

    public ClusterLookupException(String message, Throwable cause) {
        super(message, cause);
    }
}
