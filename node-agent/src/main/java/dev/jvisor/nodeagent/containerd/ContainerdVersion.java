package dev.jvisor.nodeagent.containerd;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * containerd's version as a node reports it in {@code status.nodeInfo.containerRuntimeVersion}
 * ({@code containerd://1.7.12}, {@code containerd://2.0.2-k3s2}). Only the major version matters to
 * us: 2.x reads config schema version 3.
 */
public record ContainerdVersion(int major, int minor) {

    private static final Pattern RUNTIME_VERSION = Pattern.compile("^containerd://v?(\\d+)\\.(\\d+)");

    /** Parses a node's runtime version; empty for another runtime or an unreadable value. */
    public static Optional<ContainerdVersion> fromNodeRuntimeVersion(String value) {
        if (value == null) {
            return Optional.empty();
        }
        Matcher m = RUNTIME_VERSION.matcher(value.trim());
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(new ContainerdVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
    }

    /** Whether this containerd reads config schema version 3 (drop-ins, the split CRI plugins). */
    public boolean usesConfigV3() {
        return major >= 2;
    }
}
