package dev.jvisor.runsc.policy;

import java.util.Map;

/** Asks the node agent for a pod's sandbox settings; one short-lived connection per create. */
public interface PolicyClient extends AutoCloseable {

    /**
     * @param sandboxId   the container id being created, for the agent's log
     * @param annotations the pod's {@code jvisor.dev/*} annotations (others are not sent)
     */
    PolicyDecision lookup(PodIdentity pod, String sandboxId, Map<String, String> annotations)
            throws PolicyUnavailableException;

    @Override
    void close();
}
