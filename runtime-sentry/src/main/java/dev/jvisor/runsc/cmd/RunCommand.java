package dev.jvisor.runsc.cmd;

import dev.jvisor.runsc.cli.Flag;
import dev.jvisor.runsc.cli.FlagSet;
import dev.jvisor.runsc.cli.HelpRequestedException;
import dev.jvisor.runsc.cli.Invocation;
import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.runsc.cli.Subcommand;
import dev.jvisor.runsc.lifecycle.ExitStatusFile;
import dev.jvisor.runsc.state.ContainerId;
import dev.jvisor.runsc.state.ContainerRecord;
import dev.jvisor.runsc.state.StateStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;

/**
 * {@code runsc run [--detach] ID}: create and start in one call, as {@code runc run}. In the
 * foreground it then waits for the container's program, passes the host signals it gets on to
 * it, deletes the container (unless {@code --keep}) and exits with the program's status (128+N
 * after signal N). The container's stdio are this process's, as with create.
 */
public final class RunCommand implements Subcommand {
    /** The signals a foreground run passes on, as runc's does (SIGKILL and SIGSTOP cannot be caught). */
    private static final String[] FORWARDED = {"INT", "TERM", "HUP", "QUIT", "USR1", "USR2"};

    private CreateFlags createFlags;
    private Flag<Boolean> detach;
    private Flag<Boolean> keep;

    @Override public String name() { return "run"; }
    @Override public String summary() { return "create and start a container (and, unless detached, wait for it and delete it)"; }
    @Override public String argsUsage() { return "<container-id>"; }

    @Override
    public void defineFlags(FlagSet flags) {
        createFlags = CreateFlags.define(flags);
        detach = flags.bool("detach", "return once the program runs, leaving the container to run");
        flags.alias("d", detach);
        keep = flags.bool("keep", "do not delete the container after it exits");
    }

    @Override
    public int execute(Invocation inv, List<String> args) throws RunscException {
        Invocation.requireArgs(args, 1, "<container-id>");
        String id = ContainerId.validate(args.getFirst());
        int status = invoke(new CreateCommand(), inv, createFlags.createArguments(id));
        if (status != 0) return status;
        // From here a signal to run is the container's (kill accepts a created one), so none is
        // lost between start and the wait; a detached run gives them back once started.
        List<Object[]> handlers = forwardSignals(inv, id);
        try {
            try {
                status = invoke(new StartCommand(), inv, List.of(id));
            } catch (RunscException e) {
                removeQuietly(inv, id);
                throw e;
            }
            if (status != 0) {
                removeQuietly(inv, id);
                return status;
            }
            if (detach.get()) return 0;
            status = awaitExit(inv, id);
        } finally {
            restore(handlers);
        }
        if (!keep.get()) invoke(new DeleteCommand(), inv, List.of(id));
        return status;
    }

    /** The container program's exit status, once its host process (the pid create recorded) is gone. */
    private static int awaitExit(Invocation inv, String id) throws RunscException {
        StateStore store = new StateStore(inv.root());
        ContainerRecord record = store.load(id);
        if (record.init() != null) {
            // create made that process this one's child: onExit waits without reaping it, which
            // leaves its status to nobody but costs only a zombie until this process exits.
            ProcessHandle.of(record.init().pid()).ifPresent(h -> {
                try {
                    h.onExit().get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException e) {
                    // gone: fall through to the recorded status
                }
            });
        }
        if (Thread.currentThread().isInterrupted()) throw new RunscException("interrupted while waiting for container " + id);
        return ExitStatusFile.read(store.root().resolve(id)).orElse(WaitCommand.KILLED_STATUS);
    }

    private static List<Object[]> forwardSignals(Invocation inv, String id) {
        List<Object[]> previous = new ArrayList<>();
        for (String name : FORWARDED) {
            try {
                sun.misc.Signal sig = new sun.misc.Signal(name);
                sun.misc.SignalHandler old = sun.misc.Signal.handle(sig, s -> {
                    try {
                        invoke(new KillCommand(), inv, List.of(id, Integer.toString(s.getNumber())));
                    } catch (RunscException e) {
                        inv.log().warning("cannot pass signal " + s.getNumber() + " to container " + id + ": " + e.getMessage());
                    }
                });
                previous.add(new Object[] {sig, old});
            } catch (IllegalArgumentException e) {
                // the JVM keeps this one for itself; it is not passed on
            }
        }
        return previous;
    }

    private static void restore(List<Object[]> previous) {
        for (Object[] p : previous) sun.misc.Signal.handle((sun.misc.Signal) p[0], (sun.misc.SignalHandler) p[1]);
    }

    private static void removeQuietly(Invocation inv, String id) {
        try {
            invoke(new DeleteCommand(), inv, List.of("--force", id));
        } catch (RunscException e) {
            inv.log().warning("cannot remove container " + id + " after its start failed: " + e.getMessage());
        }
    }

    /** Runs another subcommand in this process, with arguments this command built. */
    private static int invoke(Subcommand command, Invocation inv, List<String> args) throws RunscException {
        FlagSet flags = new FlagSet();
        command.defineFlags(flags);
        try {
            return command.execute(inv, flags.parse(args));
        } catch (HelpRequestedException e) {
            throw new IllegalStateException("run built arguments that ask " + command.name() + " for help: " + args, e);
        }
    }
}
