package dev.jvisor.runsc.cmd;

import dev.jvisor.oci.ContainerStatus;
import dev.jvisor.oci.OciConfigException;
import dev.jvisor.oci.OciConfigReader;
import dev.jvisor.oci.OciSpec;
import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.oci.json.JsonParser;
import dev.jvisor.oci.json.JsonSyntaxException;
import dev.jvisor.oci.json.JsonWriter;
import dev.jvisor.runsc.cgroup.CgroupException;
import dev.jvisor.runsc.cgroup.CgroupV1;
import dev.jvisor.runsc.cgroup.ContainerCgroup;
import dev.jvisor.runsc.cli.Flag;
import dev.jvisor.runsc.cli.FlagSet;
import dev.jvisor.runsc.cli.Invocation;
import dev.jvisor.runsc.cli.IoErrors;
import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.runsc.cli.Subcommand;
import dev.jvisor.runsc.cli.UsageException;
import dev.jvisor.runsc.state.ContainerLock;
import dev.jvisor.runsc.state.ContainerRecord;
import dev.jvisor.runsc.state.StateStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

/**
 * {@code runsc update --resources FILE|- ID}: applies new limits (OCI {@code linux.resources}:
 * memory limit, reservation and swap, cpu shares, quota and period, pids limit) to the
 * container's cgroup. The JSON is checked as config.json's resources are; bad JSON changes nothing.
 */
public final class UpdateCommand implements Subcommand {
    /** More than any resources document needs. */
    static final int MAX_RESOURCES_BYTES = 1 << 20;

    private Flag<String> resources;

    @Override public String name() { return "update"; }
    @Override public String summary() { return "update a container's resource limits (cgroup)"; }
    @Override public String argsUsage() { return "<container-id>"; }

    @Override
    public void defineFlags(FlagSet flags) {
        resources = flags.string("resources", "FILE", "", "linux.resources JSON to apply; - reads it from stdin");
        flags.alias("r", resources);
    }

    @Override
    public int execute(Invocation inv, List<String> args) throws RunscException {
        Invocation.requireArgs(args, 1, "<container-id>");
        if (resources.get().isEmpty()) throw new UsageException("update needs --resources FILE (or - for stdin)");
        String id = args.getFirst();
        OciSpec.Resources limits = parse(read(inv));
        StateStore store = new StateStore(inv.root());
        try (ContainerLock lock = store.lock(id)) {
            ContainerRecord record = store.load(id);
            if (record.currentStatus() == ContainerStatus.STOPPED) throw new RunscException("container not running");
            CgroupV1 cgroup = ContainerCgroup.of(store.root().resolve(id))
                    .orElseThrow(() -> new CgroupException("container " + id + " has no cgroup (its config named no cgroupsPath)"));
            cgroup.apply(limits);
        }
        return 0;
    }

    private String read(Invocation inv) throws RunscException {
        try {
            byte[] bytes;
            if (resources.get().equals("-")) {
                InputStream in = inv.in();
                bytes = in.readNBytes(MAX_RESOURCES_BYTES + 1);
            } else {
                bytes = Files.readAllBytes(Invocation.hostPath("resources", resources.get()));
            }
            if (bytes.length > MAX_RESOURCES_BYTES) throw new RunscException("--resources: larger than " + MAX_RESOURCES_BYTES + " bytes");
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RunscException("cannot read --resources " + resources.get() + ": " + IoErrors.reason(e), e);
        }
    }

    /** A linux.resources document, checked as config.json's. */
    static OciSpec.Resources parse(String text) throws RunscException {
        try {
            if (!(JsonParser.parse(text) instanceof JsonObject r)) throw new RunscException("--resources: not a JSON object");
            String config = JsonWriter.compact(JsonObject.builder().put("ociVersion", "1.0.2")
                    .put("linux", JsonObject.builder().put("resources", r).build()).build());
            return OciConfigReader.parse(config).linux().resources();
        } catch (JsonSyntaxException e) {
            throw new RunscException("--resources: not valid JSON: " + e.getMessage(), e);
        } catch (OciConfigException e) {
            throw new RunscException("--resources: " + e.getMessage(), e);
        }
    }
}
