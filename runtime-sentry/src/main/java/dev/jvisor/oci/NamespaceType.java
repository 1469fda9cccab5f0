package dev.jvisor.oci;

import java.util.Optional;

/** The namespace types of {@code linux.namespaces[].type} (runtime-spec config-linux.md). */
public enum NamespaceType {
    PID("pid"), NETWORK("network"), MOUNT("mount"), IPC("ipc"), UTS("uts"), USER("user"),
    CGROUP("cgroup"), TIME("time");

    private final String specName;

    NamespaceType(String specName) {
        this.specName = specName;
    }

    public String specName() {
        return specName;
    }

    public static Optional<NamespaceType> fromSpecName(String name) {
        for (NamespaceType t : values()) if (t.specName.equals(name)) return Optional.of(t);
        return Optional.empty();
    }
}
