package dev.jvisor.runsc.cmd;

import dev.jvisor.oci.Capability;
import dev.jvisor.oci.OciConfigWriter;
import dev.jvisor.oci.OciSpec;
import dev.jvisor.oci.Rlimits;
import dev.jvisor.runsc.cli.BuildInfo;
import dev.jvisor.runsc.cli.Flag;
import dev.jvisor.runsc.cli.FlagSet;
import dev.jvisor.runsc.cli.Invocation;
import dev.jvisor.runsc.cli.IoErrors;
import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.runsc.cli.Subcommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code runsc spec [--bundle DIR]}: writes a starting config.json, the same shape runc writes,
 * for a rootfs directory named {@code rootfs} beside it. Never overwrites an existing one.
 */
public final class SpecCommand implements Subcommand {
    private Flag<String> bundle;

    @Override public String name() { return "spec"; }
    @Override public String summary() { return "write a default config.json into the bundle directory"; }
    @Override public String argsUsage() { return ""; }

    @Override
    public void defineFlags(FlagSet flags) {
        bundle = flags.string("bundle", "DIR", ".", "bundle directory to write config.json into");
        flags.alias("b", bundle);
    }

    @Override
    public int execute(Invocation inv, List<String> args) throws RunscException {
        Invocation.requireArgs(args, 0, "no arguments");
        Path file = Path.of(bundle.get()).resolve("config.json");
        try {
            Files.writeString(file, OciConfigWriter.toJson(defaultSpec()), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new RunscException("file " + file + " exists; remove it first");
        } catch (IOException e) {
            throw new RunscException("cannot write " + file + ": " + IoErrors.reason(e), e);
        }
        return 0;
    }

    /** A shell in a read-only busybox-style root, with the mounts and masks a container expects. */
    public static OciSpec defaultSpec() {
        Set<Capability> caps = Set.of(Capability.CAP_AUDIT_WRITE, Capability.CAP_KILL, Capability.CAP_NET_BIND_SERVICE);
        var process = new OciSpec.Process(true, new OciSpec.User(0, 0, List.of()), List.of("sh"),
                List.of(DoCommand.DEFAULT_PATH, "TERM=xterm"), "/",
                new OciSpec.Capabilities(caps, caps, Set.of(), caps, Set.of()),
                List.of(new OciSpec.Rlimit(Rlimits.Resource.RLIMIT_NOFILE, 1024, 1024)), true);
        List<OciSpec.Mount> mounts = List.of(
                new OciSpec.Mount("/proc", "proc", "proc", List.of()),
                new OciSpec.Mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
                new OciSpec.Mount("/dev/pts", "devpts", "devpts",
                        List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
                new OciSpec.Mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")),
                new OciSpec.Mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
                new OciSpec.Mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")));
        var namespaces = FeaturesCommand.NAMESPACES.stream().map(t -> new OciSpec.Namespace(t, null)).toList();
        var linux = new OciSpec.Linux(namespaces, OciSpec.Resources.NONE, null, null,
                List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"),
                List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"),
                Map.of());
        return new OciSpec(BuildInfo.ociSpecVersion(), process, new OciSpec.Root("rootfs", true), mounts, "runsc",
                Map.of(), linux);
    }
}
