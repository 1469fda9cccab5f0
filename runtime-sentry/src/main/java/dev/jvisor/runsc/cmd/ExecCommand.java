package dev.jvisor.runsc.cmd;

import dev.jvisor.runsc.cli.Flag;
import dev.jvisor.runsc.cli.FlagSet;
import dev.jvisor.runsc.cli.Invocation;
import dev.jvisor.runsc.cli.IoErrors;
import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.runsc.cli.Subcommand;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

/**
 * {@code runsc exec --process P.json ... ID}: running a second process in a container's Sentry is
 * not supported yet; the call fails with that error. The shim expects P to be gone once exec
 * returns, so it is deleted all the same.
 */
public final class ExecCommand implements Subcommand {
    private Flag<String> process;

    @Override public String name() { return "exec"; }
    @Override public String summary() { return "run a process in a container (not supported yet)"; }
    @Override public String argsUsage() { return "<container-id>"; }

    @Override
    public void defineFlags(FlagSet flags) {
        process = flags.string("process", "FILE", "", "the process.json to run");
        flags.string("pid-file", "FILE", "", "write the exec'd process's host pid here");
        flags.string("console-socket", "SOCKET", "", "unix socket to send the terminal's master fd to");
        flags.alias("d", flags.bool("detach", "return once the process runs"));
    }

    @Override
    public int execute(Invocation inv, List<String> args) throws RunscException {
        if (!process.get().isEmpty()) {
            try {
                Files.deleteIfExists(Invocation.hostPath("process", process.get()));
            } catch (IOException e) {
                inv.log().warning("cannot delete --process " + process.get() + ": " + IoErrors.reason(e));
            }
        }
        throw new RunscException("exec: running another process in a jVisor container is not supported yet");
    }
}
