package dev.jvisor.operator.admission;

import dev.jvisor.api.v1alpha1.SandboxPolicy;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The cluster state admission decisions read. */
public interface ClusterLookup {

    /** The labels of a namespace, or empty if it does not exist. */
    Optional<Map<String, String>> namespaceLabels(String namespace) throws ClusterLookupException;

    List<SandboxPolicy> policies() throws ClusterLookupException;
}
