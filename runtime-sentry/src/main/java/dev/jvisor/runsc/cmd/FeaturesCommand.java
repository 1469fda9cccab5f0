package dev.jvisor.runsc.cmd;

import dev.jvisor.oci.Capability;
import dev.jvisor.oci.NamespaceType;
import dev.jvisor.oci.json.JsonArray;
import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.oci.json.JsonWriter;
import dev.jvisor.runsc.cli.BuildInfo;
import dev.jvisor.runsc.cli.Invocation;
import dev.jvisor.runsc.cli.Subcommand;
import dev.jvisor.runsc.config.AnnotationRule;
import dev.jvisor.runsc.config.ConfigOption;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code runsc features}: the runtime-spec "features" document (features.md) describing what
 * jVisor does with a config.json. It claims only what jVisor honours; when a feature lands,
 * its line here changes with it.
 */
public final class FeaturesCommand implements Subcommand {
    /** The oldest config.json version runsc reads. */
    static final String OCI_VERSION_MIN = "1.0.0";

    /**
     * Namespaces the Sentry gives every sandbox of its own (pid, network, ipc, uts, mount views
     * are emulated inside it). Not user, cgroup or time: jVisor has no such namespaces.
     */
    static final List<NamespaceType> NAMESPACES =
            List.of(NamespaceType.PID, NamespaceType.NETWORK, NamespaceType.IPC, NamespaceType.UTS, NamespaceType.MOUNT);

    /** Mount options the Sentry's mount table honours for the filesystems it serves. */
    static final List<String> MOUNT_OPTIONS =
            List.of("bind", "dev", "exec", "nodev", "noexec", "nosuid", "rbind", "ro", "rw", "suid");

    @Override public String name() { return "features"; }
    @Override public String summary() { return "print the OCI runtime features JSON"; }
    @Override public String argsUsage() { return ""; }

    @Override
    public int execute(Invocation inv, List<String> args) {
        inv.out().println(JsonWriter.pretty(document()));
        return 0;
    }

    static JsonObject document() {
        JsonObject disabled = JsonObject.builder().put("enabled", false).build();
        JsonObject linux = JsonObject.builder()
                .put("namespaces", JsonArray.ofStrings(NAMESPACES.stream().map(NamespaceType::specName).toList()))
                // Credentials inside the sandbox carry every capability set; none reaches the host.
                .put("capabilities", JsonArray.ofStrings(Arrays.stream(Capability.values()).map(Enum::name).toList()))
                // cgroupsPath and linux.resources (memory, pids, cpu) are applied on cgroup v1 hierarchies,
                // a systemd slice:prefix:name path laid out directly in cgroupfs; not yet on v2.
                .put("cgroup", JsonObject.builder().put("v1", true).put("v2", false).put("systemd", false)
                        .put("systemdUser", false).put("rdma", false).build())
                // The Sentry filters syscalls itself; a config's linux.seccomp profile is not enforced.
                .put("seccomp", disabled)
                .put("apparmor", disabled)
                .put("selinux", disabled)
                .put("intelRdt", disabled)
                .build();
        String podSettings = Arrays.stream(ConfigOption.values())
                .filter(o -> o.annotationRule() != AnnotationRule.NEVER)
                .map(o -> ConfigOption.ANNOTATION_PREFIX + o.key()).collect(Collectors.joining(","));
        return JsonObject.builder()
                .put("ociVersionMin", OCI_VERSION_MIN)
                .put("ociVersionMax", BuildInfo.ociSpecVersion())
                // No OCI hooks are run: they would execute host programs outside the sandbox.
                .put("hooks", JsonArray.ofStrings(List.of()))
                .put("mountOptions", JsonArray.ofStrings(MOUNT_OPTIONS))
                .put("linux", linux)
                .put("annotations", JsonObject.builder()
                        .put("dev.jvisor.runsc.version", BuildInfo.version())
                        .put("dev.jvisor.runsc.platforms", "ptrace")
                        .put("dev.jvisor.runsc.pod-annotations", podSettings)
                        .build())
                .build();
    }
}
