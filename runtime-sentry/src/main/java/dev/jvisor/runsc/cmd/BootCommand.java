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
import dev.jvisor.runsc.state.HostProcess;
import dev.jvisor.runsc.state.StateStore;
import dev.jvisor.runsc.control.ControlServer;
import dev.jvisor.runsc.control.SandboxControl;
import dev.jvisor.runsc.policy.SandboxEventReporter;
import dev.jvisor.sentry.RunningSandbox;
import dev.jvisor.sentry.Sandbox;
import dev.jvisor.sentry.SandboxSpec;
import dev.jvisor.sentry.host.confine.HostRoot;
import dev.jvisor.sentry.host.confine.SentrySeccomp;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code runsc boot --bundle B ID}: the process create starts and whose pid the shim waits on.
 * It listens for {@code start}, then boots the Sentry with the container's program as pid 1,
 * serves the sandbox's control channel ({@link ControlServer}: exec, kill, ps, pause, resume,
 * a pod's containers) while it runs, and exits with pid 1's status. Not for people: create runs it.
 */
public final class BootCommand implements Subcommand {
    private Flag<String> bundle;
    private Flag<String> console;
    private Flag<String> hostRootFd;

    @Override public String name() { return "boot"; }
    @Override public String summary() { return "run a created container's sandbox (started by create)"; }
    @Override public String argsUsage() { return "<container-id>"; }

    @Override
    public void defineFlags(FlagSet flags) {
        bundle = flags.string("bundle", "DIR", ".", "the OCI bundle");
        console = flags.string("console", "PTY", "", "host pty slave that is the container's terminal (create passes it)");
        hostRootFd = flags.string("host-root-fd", "FD", "", "descriptor of the host's root, opened before the sandbox's mount namespace (create passes it)");
    }

    @Override
    public int execute(Invocation inv, List<String> args) throws RunscException {
        Invocation.requireArgs(args, 1, "<container-id>");
        String id = ContainerId.validate(args.getFirst());
        Path stateDir = inv.root().resolve(id);
        adoptHostRoot(hostRootFd.get());
        if (!Files.isDirectory(stateDir)) throw new RunscException("boot: container \"" + id + "\" is not being created");
        Path bundleDir = Invocation.hostPath("bundle", bundle.get()).toAbsolutePath().normalize();
        OciSpec oci = BundleSandbox.read(bundleDir);
        SandboxSpec spec = BundleSandbox.toSandboxSpec(bundleDir, oci, inv.config().strace(), inv.config().overlay());
        // Opened before listening for start: create's readiness check is also our hold on it.
        if (!console.get().isEmpty()) spec = ConsoleSocket.onTerminal(spec, console.get());

        // Events to the node agent, when it has a policy socket: never holds up or fails the sandbox.
        SandboxEventReporter events = SandboxEventReporter.forSandbox(inv, id, oci.annotations());
        int status;
        try (StartChannel channel = StartChannel.listen(stateDir)) {
            SocketChannel starter = channel.awaitStart();
            RunningSandbox sandbox;
            try {
                sandbox = RunningSandbox.boot(id, spec, System.err);
            } catch (Sandbox.SandboxException e) {
                starter.close();
                throw new RunscException("sandbox: " + e.getMessage(), e);
            }
            try (sandbox; ControlServer control = ControlServer.start(stateDir, new SandboxControl(sandbox, inv.root(), System.err), System.err)) {
                lockDown();
                // start returns once the program runs and the control channel answers.
                StartChannel.confirm(starter);
                events.started(sandbox.kernel().monitor(), hostPid(inv, id));
                status = Sandbox.awaitForwardingSignals(sandbox);
                events.exited(status);
            }
        } catch (IOException e) {
            throw new RunscException("boot: " + IoErrors.reason(e), e);
        }
        try {
            ExitStatusFile.write(stateDir, status);
        } catch (IOException e) {
            // The exit status itself still reaches the shim; only runsc wait loses it.
            inv.log().warning("cannot record the exit status of container " + id + ": " + IoErrors.reason(e));
        }
        // After the status is recorded: the last events take at most a bounded moment.
        events.close();
        return status;
    }

    /** The host's root the launcher opened, through which Gofers reach container roots mounted later. */
    private static void adoptHostRoot(String fd) throws RunscException {
        if (fd.isEmpty()) return;
        try {
            HostRoot.adopt(Integer.parseInt(fd));
        } catch (NumberFormatException e) {
            throw new RunscException("boot: --host-root-fd: not a descriptor number: " + fd, e);
        } catch (HostRoot.HostRootException e) {
            throw new RunscException("boot: --host-root-fd: " + e.getMessage(), e);
        }
    }

    /**
     * The sandbox's pid on the host, as create recorded it (the pid the shim waits on): this
     * process is pid 1 of its own pid namespace and cannot see its host pid otherwise.
     */
    private static long hostPid(Invocation inv, String id) {
        try {
            HostProcess init = new StateStore(inv.root()).load(id).init();
            if (init != null) return init.pid();
        } catch (RunscException e) {
            inv.log().warning("cannot read container " + id + "'s recorded pid: " + e.getMessage());
        }
        return ProcessHandle.current().pid();
    }

    /**
     * The Sentry's seccomp filter, once the sandbox is up and its first stub and Gofer run: on
     * all threads, inherited by every thread, stub and Gofer started later. A sandbox that
     * cannot have it does not start.
     */
    private static void lockDown() throws RunscException {
        try {
            SentrySeccomp.install();
        } catch (SentrySeccomp.SeccompException e) {
            throw new RunscException("boot: cannot install the Sentry's seccomp filter: " + e.getMessage(), e);
        }
    }
}
