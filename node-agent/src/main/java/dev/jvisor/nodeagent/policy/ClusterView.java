package dev.jvisor.nodeagent.policy;

import dev.jvisor.api.v1alpha1.SandboxPolicy;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/** What the policy service needs to know of the cluster. */
interface ClusterView {

    /** The pod, or empty when the API server has no such pod. */
    Optional<Pod> pod(String namespace, String name) throws ClusterViewException;

    /** The namespace's labels, or empty when there is no such namespace. */
    Optional<Map<String, String>> namespaceLabels(String namespace) throws ClusterViewException;

    /** Every SandboxPolicy; throws while the agent has not yet seen the full list. */
    Collection<SandboxPolicy> policies() throws ClusterViewException;
}
