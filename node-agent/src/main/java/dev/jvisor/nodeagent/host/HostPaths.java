package dev.jvisor.nodeagent.host;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Maps paths as the host sees them ({@code /etc/containerd/config.toml}) to where the agent reaches
 * them: under the host's root filesystem mounted into the agent's container ({@code /host}). Tests
 * use a temporary directory as the host root.
 *
 * @param root where the host's {@code /} is mounted in the agent
 */
public record HostPaths(Path root) {

    public HostPaths {
        Objects.requireNonNull(root, "root");
        root = root.toAbsolutePath().normalize();
    }

    /** The agent-side path of an absolute host path; refuses paths that would climb out of the root. */
    public Path resolve(String hostPath) {
        Path host = Path.of(hostPath);
        if (!host.isAbsolute()) {
            throw new IllegalArgumentException("host path must be absolute: " + hostPath);
        }
        Path resolved = root.resolve(root.getRoot().relativize(host.normalize())).normalize();
        if (!resolved.startsWith(root)) {
            throw new IllegalArgumentException("host path leaves the host root: " + hostPath);
        }
        return resolved;
    }

    /** The host's view of an agent-side path under the root. */
    public String toHost(Path agentPath) {
        Path normalized = agentPath.toAbsolutePath().normalize();
        if (!normalized.startsWith(root)) {
            throw new IllegalArgumentException("not under the host root: " + agentPath);
        }
        return "/" + root.relativize(normalized);
    }
}
