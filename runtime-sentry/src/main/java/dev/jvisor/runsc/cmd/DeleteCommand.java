package dev.jvisor.runsc.cmd;

import dev.jvisor.oci.ContainerStatus;
import dev.jvisor.runsc.cli.Flag;
import dev.jvisor.runsc.control.ControlException;
import dev.jvisor.runsc.control.ControlProtocol;
import dev.jvisor.runsc.control.SandboxAddress;
import dev.jvisor.runsc.cli.FlagSet;
import dev.jvisor.runsc.cli.Invocation;
import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.runsc.cli.Subcommand;
import dev.jvisor.runsc.state.ContainerLock;
import dev.jvisor.runsc.state.ContainerNotFoundException;
import dev.jvisor.runsc.state.ContainerRecord;
import dev.jvisor.runsc.state.HostProcess;
import dev.jvisor.runsc.state.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code runsc delete [--force] ID}: forgets a stopped or created container (killing the latter's
 * init first, as runc does). {@code --force} also kills a running or paused one, and succeeds for
 * one that does not exist: the containerd shim calls delete and then delete --force every time,
 * and the second must not fail.
 */
public final class DeleteCommand implements Subcommand {
    /** How long --force waits for a SIGKILLed init to be gone before giving up. */
    private static final long KILL_WAIT_MILLIS = 5_000;

    private Flag<Boolean> force;

    @Override public String name() { return "delete"; }
    @Override public String summary() { return "delete a container's state (--force: kill it first)"; }
    @Override public String argsUsage() { return "<container-id>"; }

    @Override
    public void defineFlags(FlagSet flags) {
        force = flags.bool("force", "kill the container if it still runs; succeed if it does not exist");
        flags.alias("f", force);
    }

    @Override
    public int execute(Invocation inv, List<String> args) throws RunscException {
        Invocation.requireArgs(args, 1, "<container-id>");
        StateStore store = new StateStore(inv.root());
        String id = args.getFirst();
        try (ContainerLock lock = store.lock(id)) {
            ContainerRecord record = store.load(id);
            ContainerStatus status = record.currentStatus();
            switch (status) {
                case STOPPED, CREATING -> { }
                // As runc: a created container never ran its program, so deleting it kills the waiter.
                case CREATED -> kill(record.init());
                case RUNNING, PAUSED -> {
                    if (!force.get()) {
                        throw new RunscException("cannot delete container " + id + " that is not stopped: " + status.specName());
                    }
                    kill(record.init());
                }
            }
            leaveSandbox(inv, id);
            CreateCommand.removeCgroup(inv, store.root().resolve(id));
            store.remove(lock);
            if (inv.log().debugEnabled()) inv.log().debug("deleted container " + id);
        } catch (ContainerNotFoundException e) {
            if (!force.get()) throw e;
        }
        return 0;
    }

    /** A pod's container also leaves its pod's Sentry, which stops serving its root. */
    private static void leaveSandbox(Invocation inv, String id) {
        try {
            SandboxAddress address = SandboxAddress.of(inv.root(), id);
            if (address.joined() && address.listening()) address.call(ControlProtocol.DELETE, b -> b);
        } catch (ControlException | IOException e) {
            // The sandbox is gone or never had it: nothing of the container is left there.
            if (inv.log().debugEnabled()) inv.log().debug("container " + id + " was not in its sandbox any more: " + e.getMessage());
        }
    }

    private static void kill(HostProcess init) throws RunscException {
        if (init == null) return;
        // ProcessHandle checks the start time before signalling, as HostProcess does.
        var handle = ProcessHandle.of(init.pid());
        if (handle.isEmpty() || !init.isAlive()) return;
        handle.get().destroyForcibly();
        long deadline = System.nanoTime() + KILL_WAIT_MILLIS * 1_000_000;
        while (init.isAlive() && !isZombie(init.pid())) {
            if (System.nanoTime() > deadline) throw new RunscException("container init " + init.pid() + " did not die after SIGKILL");
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RunscException("interrupted while waiting for container init " + init.pid() + " to die");
            }
        }
    }

    /** A killed process stays a zombie until its parent reaps it; it is dead all the same. */
    private static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'Z';
        } catch (IOException gone) {
            return true;
        }
    }
}
