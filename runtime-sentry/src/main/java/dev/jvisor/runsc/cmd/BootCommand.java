package dev.jvisor.runsc.cmd;

import dev.jvisor.oci.OciSpec;
import dev.jvisor.runsc.cgroup.CgroupException;
import dev.jvisor.runsc.cgroup.CgroupV1;
import dev.jvisor.runsc.cgroup.ContainerCgroup;
import dev.jvisor.runsc.cli.Flag;
import dev.jvisor.runsc.cli.FlagSet;
import dev.jvisor.runsc.cli.Invocation;
import dev.jvisor.runsc.cli.IoErrors;
import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.runsc.cli.Subcommand;
import dev.jvisor.runsc.lifecycle.BundleSandbox;
import dev.jvisor.runsc.lifecycle.ConsoleSocket;
import dev.jvisor.runsc.lifecycle.ExitStatusFile;
import dev.jvisor.runsc.state.ContainerId;
import dev.jvisor.runsc.state.HostProcess;
import dev.jvisor.runsc.state.StateStore;
import dev.jvisor.runsc.control.ControlServer;
import dev.jvisor.runsc.control.SandboxControl;
import dev.jvisor.runsc.control.StartGate;
import dev.jvisor.sentry.fs.gofer.GoferProcess;
import dev.jvisor.sentry.fs.overlay.RootFilesystem;
import dev.jvisor.startup.StartupTrace;
import dev.jvisor.runsc.policy.SandboxEventReporter;
import dev.jvisor.sentry.RunningSandbox;
import dev.jvisor.sentry.Sandbox;
import dev.jvisor.sentry.SandboxSpec;
import dev.jvisor.sentry.host.confine.HostRoot;
import dev.jvisor.sentry.host.confine.SentrySeccomp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.Optional;

/**
 * {@code runsc boot --bundle B ID}: the process create starts and whose pid the shim waits on.
 * It starts the root's Gofer, then serves the sandbox's control channel ({@link ControlServer})
 * at once: {@code start} arrives there ({@link StartGate}) and boots the Sentry with the
 * container's program as pid 1; exec, kill, ps, pause, resume and a pod's containers follow
 * while it runs. It exits with pid 1's status. Not for people: create runs it.
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
        // Opened before listening: create's readiness check is also our hold on it.
        if (!console.get().isEmpty()) spec = ConsoleSocket.onTerminal(spec, console.get());

        // Events to the node agent, when it has a policy socket: never holds up or fails the sandbox.
        SandboxEventReporter events = SandboxEventReporter.forSandbox(inv, id, oci.annotations());
        SandboxSpec booted = spec;
        int status;
        // The Gofer's JVM starts first, so that it is up by the time start comes (it is joined
        // to the container's cgroup again then: create puts this process there just after
        // spawning it, which a Gofer started this early might precede).
        try (RootFilesystem.EarlyGofer gofer = startGoferEarly(spec)) {
            // Host signals reach the program from before start hears that it runs: runsc kill
            // may still read "created" then, and sends them to this process. They are held from
            // before the boot, so that one sent the moment the program runs is not lost.
            AtomicReference<Sandbox.HostSignals> forwarding = new AtomicReference<>();
            StartGate gate = new StartGate(id, () -> {
                joinCgroup(stateDir, gofer.pid());
                Sandbox.HostSignals signals = Sandbox.holdHostSignals(booted.terminal());
                forwarding.set(signals);
                RunningSandbox up;
                try {
                    up = RunningSandbox.boot(id, booted, System.err);
                } catch (RuntimeException e) {
                    signals.close();
                    throw e;
                }
                // Filtered before start hears that the program runs.
                lockDown(up);
                signals.forwardTo(up);
                return up;
            }, sandbox -> new SandboxControl(sandbox, inv.root(), System.err));
            // Listening is what create waits for: from here on the container is created.
            ControlServer control = ControlServer.start(stateDir, gate, System.err);
            StartupTrace.mark("boot-listening");
            RunningSandbox sandbox;
            try {
                sandbox = gate.awaitStart();
            } catch (Sandbox.SandboxException e) {
                control.close();
                throw new RunscException("sandbox: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                control.close();
                throw e;
            }
            // Closed in reverse: the control socket goes before the sandbox it serves, so a late
            // request finds nobody listening ("container not running") rather than a closed sandbox.
            try (sandbox; control; Sandbox.HostSignals signals = forwarding.get()) {
                StartupTrace.mark("sandbox-running");
                events.started(sandbox.kernel().monitor(), hostPid(inv, id));
                status = Sandbox.awaitExit(sandbox);
                events.exited(status);
            }
        } catch (IOException e) {
            throw new RunscException("boot: " + IoErrors.reason(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunscException("boot: interrupted while waiting for start", e);
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

    /** Puts the early Gofer in the container's cgroup, where create has put this process by now. */
    private static void joinCgroup(Path stateDir, int goferPid) {
        try {
            Optional<CgroupV1> cgroup = ContainerCgroup.of(stateDir);
            if (cgroup.isPresent()) cgroup.get().join(goferPid);
        } catch (CgroupException e) {
            throw new Sandbox.SandboxException("cannot put the Gofer in the container's cgroup: " + e.getMessage(), e);
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
    private static void lockDown(RunningSandbox sandbox) {
        try {
            SentrySeccomp.install();
        } catch (SentrySeccomp.SeccompException e) {
            sandbox.close();
            throw new Sandbox.SandboxException("cannot install the Sentry's seccomp filter: " + e.getMessage(), e);
        }
    }

    /**
     * Starts the Gofer of the sandbox's root now; the sandbox's boot connects to it. Shared with
     * {@code do}, which boots at once but still gains the Gofer JVM's start running alongside its own set-up.
     */
    static RootFilesystem.EarlyGofer startGoferEarly(SandboxSpec spec) throws RunscException {
        try {
            return RootFilesystem.startGoferEarly(spec.rootfs() == null ? Path.of("/") : spec.rootfs(),
                    spec.rootOverlay() ? RootFilesystem.Overlay.MEMORY : RootFilesystem.Overlay.NONE);
        } catch (GoferProcess.GoferStartException e) {
            throw new RunscException("sandbox: cannot serve the root filesystem: " + e.getMessage(), e);
        }
    }
}
