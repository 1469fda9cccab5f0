package dev.jvisor.runsc.cmd;

import dev.jvisor.oci.ContainerStatus;
import dev.jvisor.runsc.cli.Invocation;
import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.runsc.cli.Subcommand;
import dev.jvisor.runsc.control.ControlProtocol;
import dev.jvisor.runsc.control.SandboxAddress;
import dev.jvisor.runsc.state.ContainerLock;
import dev.jvisor.runsc.state.ContainerRecord;
import dev.jvisor.runsc.state.StateStore;
import java.util.List;

/**
 * {@code runsc pause ID} and {@code runsc resume ID}: every task of a running container stops
 * at its next syscall boundary (or at once, if it runs application code), or goes on again. The
 * Sentry itself keeps serving (exec, kill, ps); a paused container's state is "paused".
 */
public final class PauseCommand implements Subcommand {
    private final boolean pause;

    public PauseCommand() {
        this(true);
    }

    private PauseCommand(boolean pause) {
        this.pause = pause;
    }

    /** The resume subcommand. */
    public static PauseCommand resume() {
        return new PauseCommand(false);
    }

    @Override public String name() { return pause ? "pause" : "resume"; }
    @Override public String summary() { return pause ? "suspend every process of a container" : "resume a paused container"; }
    @Override public String argsUsage() { return "<container-id>"; }

    @Override
    public int execute(Invocation inv, List<String> args) throws RunscException {
        Invocation.requireArgs(args, 1, "<container-id>");
        String id = args.getFirst();
        StateStore store = new StateStore(inv.root());
        try (ContainerLock lock = store.lock(id)) {
            ContainerRecord record = store.load(id);
            ContainerStatus status = record.currentStatus();
            ContainerStatus from = pause ? ContainerStatus.RUNNING : ContainerStatus.PAUSED;
            if (status != from) {
                throw new RunscException("cannot " + name() + " container " + id + ": it is " + status.specName() + ", not " + from.specName());
            }
            SandboxAddress address = ControlCalls.address(inv, id);
            ControlCalls.call(address, pause ? ControlProtocol.PAUSE : ControlProtocol.RESUME, b -> b);
            store.save(lock, record.withStatus(pause ? ContainerStatus.PAUSED : ContainerStatus.RUNNING));
        }
        return 0;
    }
}
