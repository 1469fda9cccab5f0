package dev.jvisor.runsc.cgroup;

import dev.jvisor.oci.OciSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A container's cgroup as runsc keeps track of it: made at create (when the config names a
 * {@code cgroupsPath}) and recorded in the state directory as {@value #FILE}, so that update,
 * events and delete find it after the bundle is gone.
 */
public final class ContainerCgroup {
    public static final String FILE = "cgroup";

    private ContainerCgroup() {}

    /**
     * Makes the container's cgroup, applies its resources and puts {@code pid} in it; nothing if
     * the config names no cgroup. On failure nothing is left made.
     */
    public static Optional<CgroupV1> setUp(Path stateDir, OciSpec spec, boolean systemd, long pid) throws CgroupException {
        if (spec.linux() == null || spec.linux().cgroupsPath() == null || spec.linux().cgroupsPath().isBlank()) return Optional.empty();
        CgroupV1 cgroup = CgroupV1.at(CgroupV1.DEFAULT_ROOT, CgroupPath.resolve(spec.linux().cgroupsPath(), systemd));
        try {
            Files.writeString(stateDir.resolve(FILE), cgroup.relative(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CgroupException("cannot record the container's cgroup: " + e.getMessage(), e);
        }
        try {
            cgroup.create();
            cgroup.apply(spec.linux().resources());
            cgroup.join(pid);
            return Optional.of(cgroup);
        } catch (CgroupException e) {
            try {
                cgroup.remove();
            } catch (CgroupException ignored) {
                // the error that matters is the first
            }
            throw e;
        }
    }

    /** The cgroup recorded for the container whose state is in {@code stateDir}. */
    public static Optional<CgroupV1> of(Path stateDir) throws CgroupException {
        Path file = stateDir.resolve(FILE);
        if (!Files.exists(file)) return Optional.empty();
        try {
            return Optional.of(CgroupV1.at(CgroupV1.DEFAULT_ROOT, CgroupPath.resolve(Files.readString(file, StandardCharsets.UTF_8).strip(), false)));
        } catch (IOException e) {
            throw new CgroupException("cannot read the container's cgroup record: " + e.getMessage(), e);
        }
    }
}
