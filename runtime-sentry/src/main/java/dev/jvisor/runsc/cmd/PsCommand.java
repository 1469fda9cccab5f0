package dev.jvisor.runsc.cmd;

import dev.jvisor.oci.ContainerStatus;
import dev.jvisor.oci.json.JsonArray;
import dev.jvisor.oci.json.JsonNumber;
import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.oci.json.JsonValue;
import dev.jvisor.runsc.cli.Flag;
import dev.jvisor.runsc.control.ControlProtocol;
import dev.jvisor.runsc.control.SandboxAddress;
import dev.jvisor.runsc.cli.FlagSet;
import dev.jvisor.runsc.cli.Invocation;
import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.runsc.cli.Subcommand;
import dev.jvisor.runsc.cli.UsageException;
import dev.jvisor.runsc.state.ContainerRecord;
import dev.jvisor.runsc.state.StateStore;
import dev.jvisor.sentry.host.confine.NamespacePids;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code runsc ps [--format table|json] ID}: the host pids of a container: the process the shim
 * waits on (the boot process, or a pod container's waiter), then the stub processes that hold its
 * processes' address spaces, from its sandbox's control channel. The shim wants
 * {@code --format json}: a JSON array of integers.
 */
public final class PsCommand implements Subcommand {
    private Flag<String> format;

    @Override public String name() { return "ps"; }
    @Override public String summary() { return "list a container's host processes"; }
    @Override public String argsUsage() { return "<container-id>"; }

    @Override
    public void defineFlags(FlagSet flags) {
        format = flags.string("format", "table|json", "table", "output format");
        flags.alias("f", format);
    }

    @Override
    public int execute(Invocation inv, List<String> args) throws RunscException {
        Invocation.requireArgs(args, 1, "<container-id>");
        if (!format.get().equals("table") && !format.get().equals("json")) {
            throw new UsageException("invalid --format \"" + format.get() + "\": use table or json");
        }
        StateStore store = new StateStore(inv.root());
        ContainerRecord record = store.load(args.getFirst());
        List<Long> pids = new ArrayList<>();
        ContainerStatus status = record.currentStatus();
        SandboxAddress address = ControlCalls.address(inv, record.id());
        if ((status == ContainerStatus.RUNNING || status == ContainerStatus.PAUSED) && address.listening()) {
            // The pid the shim waits on (the boot process, or a pod container's waiter), then the stubs.
            if (record.init() != null) pids.add(record.init().pid());
            JsonObject ok = ControlCalls.call(address, ControlProtocol.PS, b -> b);
            List<Long> sandboxPids = new ArrayList<>();
            if (ok.get("pids") instanceof JsonArray a) {
                for (JsonValue v : a.elements()) if (v instanceof JsonNumber n) sandboxPids.add(n.longValueExact().orElse(0));
            }
            // The Sentry knows its stubs by their pids in its own pid namespace.
            ContainerRecord sandbox = address.joined() ? store.load(address.stateDir().getFileName().toString()) : record;
            if (sandbox.init() != null) pids.addAll(NamespacePids.toHost(sandbox.init().pid(), sandboxPids));
        } else if (status != ContainerStatus.STOPPED && record.init() != null) {
            ProcessHandle.of(record.init().pid()).ifPresent(h -> {
                pids.add(h.pid());
                h.descendants().forEach(d -> pids.add(d.pid()));
            });
        }
        if (format.get().equals("json")) {
            inv.out().println(pids.stream().map(String::valueOf).collect(Collectors.joining(",", "[", "]")));
        } else {
            inv.out().println("PID");
            pids.forEach(inv.out()::println);
        }
        return 0;
    }
}
