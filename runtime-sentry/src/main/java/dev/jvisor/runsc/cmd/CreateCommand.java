package dev.jvisor.runsc.cmd;

import dev.jvisor.oci.ContainerStatus;
import dev.jvisor.oci.OciSpec;
import dev.jvisor.runsc.cli.FlagSet;
import dev.jvisor.runsc.cli.Invocation;
import dev.jvisor.runsc.cli.IoErrors;
import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.runsc.cli.Subcommand;
import dev.jvisor.runsc.lifecycle.BootLauncher;
import dev.jvisor.runsc.cgroup.ContainerCgroup;
import dev.jvisor.runsc.config.RunscConfig;
import dev.jvisor.runsc.control.ControlException;
import dev.jvisor.runsc.control.PodJoin;
import dev.jvisor.runsc.lifecycle.BundleSandbox;
import dev.jvisor.runsc.lifecycle.ConsoleSocket;
import dev.jvisor.runsc.policy.PodPolicy;
import dev.jvisor.sentry.SandboxSpec;
import java.util.Optional;
import dev.jvisor.runsc.state.ContainerLock;
import dev.jvisor.runsc.state.ContainerRecord;
import dev.jvisor.runsc.state.HostProcess;
import dev.jvisor.runsc.state.StateStore;
import dev.jvisor.sentry.host.Host;
import dev.jvisor.sentry.host.HostException;
import dev.jvisor.sentry.host.HostTty;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;

/**
 * {@code runsc create --bundle B --pid-file F ID}: records the container and starts its boot
 * process, which waits for {@code start}. The pid in F is that process: it descends from create,
 * outlives it and exits with the container's status, which is how the containerd shim learns
 * the container ended. The container's stdio are create's own fds 0, 1 and 2, or with
 * {@code --console-socket} a new pty whose master goes to that socket ({@link ConsoleSocket}).
 */
public final class CreateCommand implements Subcommand {
    private CreateFlags flags;

    @Override public String name() { return "create"; }
    @Override public String summary() { return "create a container from an OCI bundle (start runs it)"; }
    @Override public String argsUsage() { return "<container-id>"; }

    @Override
    public void defineFlags(FlagSet flags) {
        this.flags = CreateFlags.define(flags);
    }

    @Override
    public int execute(Invocation inv, List<String> args) throws RunscException {
        Invocation.requireArgs(args, 1, "<container-id>");
        String id = args.getFirst();
        Path bundleDir = Invocation.hostPath("bundle", flags.bundle.get()).toAbsolutePath().normalize();
        OciSpec spec = BundleSandbox.read(bundleDir);
        Path console = consoleSocketFor(spec);
        // The node agent's policy for the pod, when the node has one: may refuse it or tighten its settings.
        RunscConfig podConfig = PodPolicy.enforce(inv, id, spec.annotations());
        inv = new Invocation(inv.root(), inv.systemdCgroup(), podConfig, inv.log(), inv.in(), inv.out(), inv.err(), inv.home());
        // Checked now so that a bad bundle fails create, not the container's start.
        SandboxSpec sandboxSpec = BundleSandbox.toSandboxSpec(bundleDir, spec, inv.config().strace(), inv.config().overlay());
        Path pidPath = flags.pidFile.get().isEmpty() ? null : Invocation.hostPath("pid-file", flags.pidFile.get()).toAbsolutePath();

        StateStore store = new StateStore(inv.root());
        String owner = System.getProperty("user.name", "");
        ContainerRecord record = new ContainerRecord(id, bundleDir.toString(), ContainerStatus.CREATING, null,
                Instant.now(), owner, spec.annotations());
        // A pod's container joins its pod's sandbox, on a terminal too (the pty's slave travels there).
        Optional<Path> pod = PodJoin.sandboxToJoin(store.root(), id, spec.annotations());
        if (pod.isPresent()) return join(inv, store, record, pod.get(), sandboxSpec, spec, pidPath, console);
        try (ContainerLock lock = store.create(record)) {
            Path stateDir = store.root().resolve(id);
            Process boot = null;
            ConsoleSocket terminal = null;
            try {
                if (console != null) {
                    terminal = ConsoleSocket.connect(console, spec.process().consoleSize());
                    boot = BootLauncher.spawnOnTerminal(BootLauncher.command(inv, bundleDir, id, terminal.slavePath()), bundleDir);
                } else {
                    boot = BootLauncher.spawn(BootLauncher.command(inv, bundleDir, id), bundleDir);
                }
                // Before the boot process starts the Sentry's stubs and Gofers: they inherit the cgroup.
                var cgroup = ContainerCgroup.setUp(stateDir, spec, inv.systemdCgroup(), boot.pid());
                // The namespace launcher has already forked the Sentry: it joins too. A process listed
                // here may exit before it joins (boot's own exit is reported by the wait below).
                if (cgroup.isPresent()) for (long pid : BootLauncher.sandboxProcesses(boot)) cgroup.get().joinIfAlive(pid);
                // Ready means the boot process holds the terminal: create's own hold can go.
                BootLauncher.awaitReady(boot, stateDir, BootLauncher.READY_TIMEOUT);
                HostProcess init = HostProcess.of(boot.pid())
                        .orElseThrow(() -> new RunscException("the sandbox process exited while the container was created"));
                if (pidPath != null) writePidFile(pidPath, boot.pid());
                store.save(lock, new ContainerRecord(id, bundleDir.toString(), ContainerStatus.CREATED, init,
                        record.created(), owner, spec.annotations()));
            } catch (RunscException | RuntimeException e) {
                // Nothing half-made stays behind: no process, no state.
                if (boot != null) killAndReap(boot);
                removeCgroup(inv, stateDir);
                store.remove(lock);
                throw e;
            } finally {
                if (terminal != null) terminal.close();
            }
        }
        if (inv.log().debugEnabled()) inv.log().debug("created container " + id);
        return 0;
    }

    /**
     * A pod's container joins the running sandbox of its pod: created in that Sentry, its pid
     * a waiter that exits with the container's status.
     */
    private static int join(Invocation inv, StateStore store, ContainerRecord record, Path sandboxDir, SandboxSpec sandboxSpec,
                            OciSpec spec, Path pidPath, Path console) throws RunscException {
        String id = record.id();
        try (ContainerLock lock = store.create(record)) {
            long waiter = -1;
            try {
                waiter = console == null ? PodJoin.create(sandboxDir, store.root().resolve(id), id, sandboxSpec)
                        : joinOnTerminal(sandboxDir, store.root().resolve(id), id, sandboxSpec, console, spec);
                long waiterPid = waiter;
                HostProcess init = HostProcess.of(waiterPid)
                        .orElseThrow(() -> new RunscException("the container's waiter exited while the container was created"));
                ContainerCgroup.setUp(store.root().resolve(id), spec, inv.systemdCgroup(), waiterPid);
                if (pidPath != null) writePidFile(pidPath, waiterPid);
                store.save(lock, new ContainerRecord(id, record.bundle(), ContainerStatus.CREATED, init,
                        record.created(), record.owner(), spec.annotations()));
            } catch (ControlException | IOException | IllegalStateException e) {
                store.remove(lock);
                throw new RunscException("cannot create container " + id + " in sandbox " + sandboxDir.getFileName() + ": " + e.getMessage(), e);
            } catch (RunscException | RuntimeException e) {
                if (waiter > 0) ProcessHandle.of(waiter).ifPresent(ProcessHandle::destroyForcibly);
                removeCgroup(inv, store.root().resolve(id));
                store.remove(lock);
                throw e;
            }
        }
        if (inv.log().debugEnabled()) inv.log().debug("created container " + id + " in sandbox " + sandboxDir.getFileName());
        return 0;
    }

    /**
     * Joins on a terminal: a new host pty whose master goes to the console socket, as for a
     * sandbox's first container, and whose slave goes to the pod's sandbox (which then holds it;
     * this process lets go of its copies).
     */
    private static int joinOnTerminal(Path sandboxDir, Path stateDir, String id, SandboxSpec sandboxSpec,
                                      Path console, OciSpec spec) throws RunscException, ControlException, IOException {
        try (ConsoleSocket terminal = ConsoleSocket.connect(console, spec.process().consoleSize())) {
            int slave;
            try {
                slave = HostTty.openTerminal(terminal.slavePath());
            } catch (HostException e) {
                throw new RunscException("cannot open the container's terminal " + terminal.slavePath() + ": " + e.getMessage(), e);
            }
            try {
                return PodJoin.createOnTerminal(sandboxDir, stateDir, id, sandboxSpec, slave);
            } finally {
                Host.close(slave);
            }
        }
    }

    /** Removes the cgroup a failed create made, if it got that far. */
    static void removeCgroup(Invocation inv, Path stateDir) {
        try {
            var cgroup = ContainerCgroup.of(stateDir);
            if (cgroup.isPresent()) cgroup.get().remove();
        } catch (RunscException e) {
            inv.log().warning(e.getMessage());
        }
    }

    /**
     * The console socket, when the container has a terminal. A terminal needs a socket to send
     * its master to, and a socket without a terminal would wait for a master that never comes.
     */
    private Path consoleSocketFor(OciSpec spec) throws RunscException {
        boolean terminal = spec.process() != null && spec.process().terminal();
        if (flags.consoleSocket.get().isEmpty()) {
            if (terminal) throw new RunscException("config.json: process.terminal is set: create needs --console-socket to hand the terminal to");
            return null;
        }
        if (!terminal) throw new RunscException("--console-socket given, but config.json's process.terminal is not set");
        return Invocation.hostPath("console-socket", flags.consoleSocket.get()).toAbsolutePath();
    }

    /** Written whole under a temporary name and renamed, so the shim never reads a partial pid. */
    static void writePidFile(Path file, long pid) throws RunscException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, Long.toString(pid), StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the error below is what matters
            }
            throw new RunscException("cannot write --pid-file " + file + ": " + IoErrors.reason(e), e);
        }
    }

    private static void killAndReap(Process boot) {
        boot.destroyForcibly();
        try {
            boot.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
