package dev.jvisor.runsc.cmd;

import dev.jvisor.oci.OciSpec;
import dev.jvisor.runsc.cli.Flag;
import dev.jvisor.runsc.cli.FlagSet;
import dev.jvisor.runsc.cli.Invocation;
import dev.jvisor.runsc.cli.IoErrors;
import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.runsc.cli.Subcommand;
import dev.jvisor.runsc.lifecycle.BundleSandbox;
import dev.jvisor.runsc.lifecycle.ConsoleSocket;
import dev.jvisor.runsc.lifecycle.ExitStatusFile;
import dev.jvisor.runsc.lifecycle.StartChannel;
import dev.jvisor.runsc.state.ContainerId;
import dev.jvisor.sentry.SandboxSpec;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code runsc boot --bundle B ID}: the process create starts and whose pid the shim waits on.
 * It listens for {@code start}, then runs the container's program in the Sentry and exits with
 * its status. Not for people: create runs it.
 */
public final class BootCommand implements Subcommand {
    private final DoCommand.SandboxRunner runner;
    private Flag<String> bundle;
    private Flag<String> console;

    public BootCommand() {
        this(Subcommands.sentry());
    }

    public BootCommand(DoCommand.SandboxRunner runner) {
        this.runner = runner;
    }

    @Override public String name() { return "boot"; }
    @Override public String summary() { return "run a created container's sandbox (started by create)"; }
    @Override public String argsUsage() { return "<container-id>"; }

    @Override
    public void defineFlags(FlagSet flags) {
        bundle = flags.string("bundle", "DIR", ".", "the OCI bundle");
        console = flags.string("console", "PTY", "", "host pty slave that is the container's terminal (create passes it)");
    }

    @Override
    public int execute(Invocation inv, List<String> args) throws RunscException {
        Invocation.requireArgs(args, 1, "<container-id>");
        String id = ContainerId.validate(args.getFirst());
        Path stateDir = inv.root().resolve(id);
        if (!Files.isDirectory(stateDir)) throw new RunscException("boot: container \"" + id + "\" is not being created");
        Path bundleDir = Invocation.hostPath("bundle", bundle.get()).toAbsolutePath().normalize();
        OciSpec oci = BundleSandbox.read(bundleDir);
        SandboxSpec spec = BundleSandbox.toSandboxSpec(bundleDir, oci, inv.config().strace());
        // Opened before listening for start: create's readiness check is also our hold on it.
        if (!console.get().isEmpty()) spec = ConsoleSocket.onTerminal(spec, console.get());

        try (StartChannel channel = StartChannel.listen(stateDir)) {
            SocketChannel starter = channel.awaitStart();
            StartChannel.confirm(starter);
        } catch (IOException e) {
            throw new RunscException("boot: start handshake failed: " + IoErrors.reason(e), e);
        }
        int status = runner.run(spec);
        try {
            ExitStatusFile.write(stateDir, status);
        } catch (IOException e) {
            // The exit status itself still reaches the shim; only runsc wait loses it.
            inv.log().warning("cannot record the exit status of container " + id + ": " + IoErrors.reason(e));
        }
        return status;
    }
}
