package dev.jvisor.nodeagent.containerd;

import dev.jvisor.nodeagent.host.HostPaths;
import java.nio.file.Files;
import java.util.Locale;

/**
 * Which containerd installation a node runs: a plain systemd {@code containerd}, or the one embedded
 * in k3s or rke2 (whose config is generated from a template in their data directory).
 */
public enum ContainerdFlavour {
    AUTO, CONTAINERD, K3S, RKE2;

    /** The data directory that marks a k3s or rke2 node. */
    static final String K3S_DATA = "/var/lib/rancher/k3s";
    static final String RKE2_DATA = "/var/lib/rancher/rke2";

    public static ContainerdFlavour parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("containerd flavour must be auto, containerd, k3s or rke2: " + text);
        }
    }

    /** This flavour, or for {@link #AUTO} the one the host's files show. */
    public ContainerdFlavour resolve(HostPaths host) {
        if (this != AUTO) {
            return this;
        }
        if (Files.isDirectory(host.resolve(RKE2_DATA))) {
            return RKE2;
        }
        if (Files.isDirectory(host.resolve(K3S_DATA))) {
            return K3S;
        }
        return CONTAINERD;
    }

    /** Where k3s/rke2 keep containerd's generated config and its templates. */
    String rancherContainerdDir() {
        return switch (this) {
            case K3S -> K3S_DATA + "/agent/etc/containerd";
            case RKE2 -> RKE2_DATA + "/agent/etc/containerd";
            default -> throw new IllegalStateException(this + " has no template directory");
        };
    }
}
