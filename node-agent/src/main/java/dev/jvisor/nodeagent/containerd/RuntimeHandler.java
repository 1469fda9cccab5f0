package dev.jvisor.nodeagent.containerd;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What the containerd runtime entry for jVisor says: the CRI handler name (what a RuntimeClass's
 * {@code handler} names), the runsc binary the stock runc shim runs, the shim's state root for it,
 * and which pod annotations containerd passes through to the runtime.
 *
 * @param name           CRI runtime handler name, a DNS label as RuntimeClass requires
 * @param binaryName     host path of the OCI runtime binary ({@code options.BinaryName})
 * @param root           host directory for the runtime's container state ({@code options.Root})
 * @param podAnnotations annotation globs passed to the runtime ({@code pod_annotations})
 */
public record RuntimeHandler(String name, String binaryName, String root, List<String> podAnnotations) {

    /** The containerd shim that drives runsc through the runc CLI contract. */
    public static final String RUNTIME_TYPE = "io.containerd.runc.v2";

    /** RuntimeClass.handler must be a DNS-1123 label. */
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    public RuntimeHandler {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(binaryName, "binaryName");
        Objects.requireNonNull(root, "root");
        podAnnotations = List.copyOf(podAnnotations);
        if (!DNS_LABEL.matcher(name).matches()) {
            throw new IllegalArgumentException("runtime handler name must be a DNS label: " + name);
        }
        if (!binaryName.startsWith("/") || !root.startsWith("/")) {
            throw new IllegalArgumentException("BinaryName and Root must be absolute host paths");
        }
    }
}
