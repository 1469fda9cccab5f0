package dev.jvisor.oci;

import java.util.Optional;

/** A container's lifecycle state as the OCI runtime-spec names it (runtime.md "State"). */
public enum ContainerStatus {
    CREATING("creating"), CREATED("created"), RUNNING("running"), STOPPED("stopped"),
    /** Not in the OCI list, but runc's and the containerd shim's: a frozen container. */
    PAUSED("paused");

    private final String specName;

    ContainerStatus(String specName) {
        this.specName = specName;
    }

    public String specName() {
        return specName;
    }

    public static Optional<ContainerStatus> fromSpecName(String name) {
        for (ContainerStatus s : values()) if (s.specName.equals(name)) return Optional.of(s);
        return Optional.empty();
    }
}
