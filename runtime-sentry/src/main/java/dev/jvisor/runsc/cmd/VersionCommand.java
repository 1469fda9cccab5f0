package dev.jvisor.runsc.cmd;

import dev.jvisor.runsc.cli.BuildInfo;
import dev.jvisor.runsc.cli.Invocation;
import dev.jvisor.runsc.cli.Subcommand;
import java.util.List;

/**
 * {@code runsc version} (also {@code runsc --version}). The two-line format is runc's and
 * gVisor's: Docker and containerd parse the {@code spec:} line.
 */
public final class VersionCommand implements Subcommand {
    @Override public String name() { return "version"; }
    @Override public String summary() { return "print the runsc and OCI runtime-spec versions"; }
    @Override public String argsUsage() { return ""; }

    @Override
    public int execute(Invocation inv, List<String> args) {
        inv.out().print("runsc version " + BuildInfo.version() + "\nspec: " + BuildInfo.ociSpecVersion() + "\n");
        return 0;
    }
}
