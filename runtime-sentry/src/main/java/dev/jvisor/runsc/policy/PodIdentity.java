package dev.jvisor.runsc.policy;

import java.util.Map;
import java.util.Optional;

/**
 * A Kubernetes pod as containerd's CRI plugin names it in every sandbox's OCI annotations.
 * Values are passed on as given; the node agent validates them.
 */
public record PodIdentity(String namespace, String name, String uid) {

    public static final String SANDBOX_NAMESPACE = "io.kubernetes.cri.sandbox-namespace";
    public static final String SANDBOX_NAME = "io.kubernetes.cri.sandbox-name";
    public static final String SANDBOX_UID = "io.kubernetes.cri.sandbox-uid";
    /** {@code sandbox} for a pod's first (pause) container, {@code container} for the rest. */
    public static final String CONTAINER_TYPE = "io.kubernetes.cri.container-type";

    /** The pod whose sandbox the annotations describe; empty when any of the three is missing. */
    public static Optional<PodIdentity> fromCriAnnotations(Map<String, String> annotations) {
        String namespace = annotations.get(SANDBOX_NAMESPACE);
        String name = annotations.get(SANDBOX_NAME);
        String uid = annotations.get(SANDBOX_UID);
        if (isBlank(namespace) || isBlank(name) || isBlank(uid)) return Optional.empty();
        return Optional.of(new PodIdentity(namespace, name, uid));
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    @Override
    public String toString() {
        return namespace + "/" + name + " (uid " + uid + ")";
    }
}
