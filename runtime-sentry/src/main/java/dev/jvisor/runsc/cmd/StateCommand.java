package dev.jvisor.runsc.cmd;

import dev.jvisor.runsc.cli.BuildInfo;
import dev.jvisor.runsc.cli.Invocation;
import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.runsc.cli.Subcommand;
import dev.jvisor.runsc.state.StateStore;
import java.util.List;

/** {@code runsc state ID}: the container's OCI state JSON (runtime.md "Query State"). */
public final class StateCommand implements Subcommand {
    @Override public String name() { return "state"; }
    @Override public String summary() { return "print the OCI state of a container"; }
    @Override public String argsUsage() { return "<container-id>"; }

    @Override
    public int execute(Invocation inv, List<String> args) throws RunscException {
        Invocation.requireArgs(args, 1, "<container-id>");
        var record = new StateStore(inv.root()).load(args.getFirst());
        inv.out().println(record.toOciState(BuildInfo.ociSpecVersion()).toJson());
        return 0;
    }
}
