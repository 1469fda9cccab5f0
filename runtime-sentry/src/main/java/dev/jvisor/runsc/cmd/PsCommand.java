package dev.jvisor.runsc.cmd;

import dev.jvisor.oci.ContainerStatus;
import dev.jvisor.runsc.cli.Flag;
import dev.jvisor.runsc.cli.FlagSet;
import dev.jvisor.runsc.cli.Invocation;
import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.runsc.cli.Subcommand;
import dev.jvisor.runsc.cli.UsageException;
import dev.jvisor.runsc.state.ContainerRecord;
import dev.jvisor.runsc.state.StateStore;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code runsc ps [--format table|json] ID}: the host pids of a container: its boot process (the
 * Sentry) and the stub processes that hold the application's address spaces. The shim wants
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
        ContainerRecord record = new StateStore(inv.root()).load(args.getFirst());
        List<Long> pids = new ArrayList<>();
        if (record.currentStatus() != ContainerStatus.STOPPED && record.init() != null) {
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
