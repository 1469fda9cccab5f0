package dev.jvisor.nodeagent.policy;

/**
 * The cluster could not be asked (API server unreachable, policies not synced yet). runsc sees it
 * as the agent being unavailable, so its fail-open/fail-closed setting decides.
 */
final class ClusterViewException extends Exception {

    ClusterViewException(String message, Throwable cause) {
        super(message, cause);
    }
}
