package dev.jvisor.runsc.cmd;

import dev.jvisor.oci.ContainerStatus;
import dev.jvisor.runsc.cli.Invocation;
import dev.jvisor.runsc.cli.IoErrors;
import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.runsc.cli.Subcommand;
import dev.jvisor.runsc.control.ControlException;
import dev.jvisor.runsc.control.ControlProtocol;
import dev.jvisor.runsc.control.SandboxAddress;
import dev.jvisor.runsc.state.ContainerLock;
import dev.jvisor.runsc.state.ContainerRecord;
import dev.jvisor.runsc.state.StateStore;
import java.io.IOException;
import java.util.List;

/**
 * {@code runsc start ID}: runs a created container's program; returns once it runs. One request on
 * the sandbox's control channel, which the boot process serves from create on.
 */
public final class StartCommand implements Subcommand {
    @Override public String name() { return "start"; }
    @Override public String summary() { return "start a created container's program"; }
    @Override public String argsUsage() { return "<container-id>"; }

    @Override
    public int execute(Invocation inv, List<String> args) throws RunscException {
        Invocation.requireArgs(args, 1, "<container-id>");
        String id = args.getFirst();
        StateStore store = new StateStore(inv.root());
        try (ContainerLock lock = store.lock(id)) {
            ContainerRecord record = store.load(id);
            ContainerStatus status = record.currentStatus();
            if (status != ContainerStatus.CREATED) {
                throw new RunscException("cannot start container " + id + ": it is " + status.specName() + ", not created");
            }
            // The boot process (or, for a pod's container, the pod's) serves start on its control channel.
            SandboxAddress address = ControlCalls.address(inv, id);
            try {
                address.call(ControlProtocol.START, b -> b);
            } catch (ControlException e) {
                throw new RunscException("cannot start container " + id + ": " + e.getMessage(), e);
            } catch (IOException e) {
                throw new RunscException("cannot start container " + id + ": the sandbox is not there any more ("
                        + IoErrors.reason(e) + ")", e);
            }
            store.save(lock, record.withStatus(ContainerStatus.RUNNING));
        }
        return 0;
    }
}
