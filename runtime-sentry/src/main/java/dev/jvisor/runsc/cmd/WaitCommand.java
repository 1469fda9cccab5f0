package dev.jvisor.runsc.cmd;

import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.oci.json.JsonWriter;
import dev.jvisor.runsc.cli.Invocation;
import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.runsc.cli.Subcommand;
import dev.jvisor.runsc.lifecycle.ExitStatusFile;
import dev.jvisor.runsc.state.ContainerRecord;
import dev.jvisor.runsc.state.StateStore;
import java.util.List;
import java.util.OptionalInt;

/**
 * {@code runsc wait ID}: blocks until the container's program exits and prints
 * {@code {"id":…,"exitStatus":N}}. A boot process killed by a signal it could not catch leaves
 * no status behind; that is reported as 128+9, the only such signal.
 */
public final class WaitCommand implements Subcommand {
    /** SIGKILL is the one signal the boot JVM cannot record: 128 + 9. */
    static final int KILLED_STATUS = 137;
    private static final long POLL_MILLIS = 20;

    @Override public String name() { return "wait"; }
    @Override public String summary() { return "wait for a container to exit and print its status"; }
    @Override public String argsUsage() { return "<container-id>"; }

    @Override
    public int execute(Invocation inv, List<String> args) throws RunscException {
        Invocation.requireArgs(args, 1, "<container-id>");
        String id = args.getFirst();
        StateStore store = new StateStore(inv.root());
        while (true) {
            ContainerRecord record = store.load(id);
            if (record.init() == null || !record.init().isAlive()) break;
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RunscException("interrupted while waiting for container " + id);
            }
        }
        OptionalInt status = ExitStatusFile.read(store.root().resolve(id));
        inv.out().println(JsonWriter.compact(JsonObject.builder().put("id", id)
                .put("exitStatus", (long) status.orElse(KILLED_STATUS)).build()));
        return 0;
    }
}
