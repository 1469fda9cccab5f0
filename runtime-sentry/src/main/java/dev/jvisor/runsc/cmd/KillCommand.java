package dev.jvisor.runsc.cmd;

import dev.jvisor.oci.ContainerStatus;
import dev.jvisor.runsc.cli.Flag;
import dev.jvisor.runsc.control.ControlProtocol;
import dev.jvisor.runsc.control.SandboxAddress;
import dev.jvisor.runsc.cli.FlagSet;
import dev.jvisor.runsc.cli.Invocation;
import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.runsc.cli.Subcommand;
import dev.jvisor.runsc.cli.UsageException;
import dev.jvisor.runsc.lifecycle.SignalNames;
import dev.jvisor.runsc.state.ContainerRecord;
import dev.jvisor.runsc.state.HostProcess;
import dev.jvisor.runsc.state.StateStore;
import dev.jvisor.sentry.host.Host;
import dev.jvisor.sentry.host.confine.SandboxLaunch;
import dev.jvisor.sentry.host.HostException;
import java.util.List;

/**
 * {@code runsc kill [--all] ID [SIGNAL]}: a started container's signal goes through its sandbox's
 * control channel to the container's first process (with --all, to each of its processes); a
 * created one's boot process gets it as a host signal (SIGKILL ends the whole sandbox). The texts
 * "container not running" and "does not exist" are what the containerd shim matches.
 */
public final class KillCommand implements Subcommand {
    private Flag<Boolean> all;

    @Override public String name() { return "kill"; }
    @Override public String summary() { return "send a signal to a container (default SIGTERM)"; }
    @Override public String argsUsage() { return "<container-id> [signal]"; }

    @Override
    public void defineFlags(FlagSet flags) {
        all = flags.bool("all", "signal every process of the container");
        flags.alias("a", all);
    }

    @Override
    public int execute(Invocation inv, List<String> args) throws RunscException {
        if (args.isEmpty() || args.size() > 2) throw new UsageException("expected <container-id> [signal]");
        String id = args.getFirst();
        int signal = args.size() == 2 ? SignalNames.parse(args.get(1)) : SignalNames.SIGTERM;
        ContainerRecord record = new StateStore(inv.root()).load(id);
        ContainerStatus status = record.currentStatus();
        if (status == ContainerStatus.STOPPED || status == ContainerStatus.CREATING || record.init() == null) {
            throw new RunscException("container not running");
        }
        HostProcess init = record.init();
        if (status == ContainerStatus.RUNNING || status == ContainerStatus.PAUSED) {
            // A started sandbox takes signals through its control channel: the container's first
            // process, or with --all every process of the container.
            SandboxAddress address = ControlCalls.address(inv, id);
            if (address.listening()) {
                ControlCalls.call(address, ControlProtocol.SIGNAL, b -> b.put("signal", signal).put("all", all.get()));
                return 0;
            }
        }
        // The Sentry's stubs die with their tracer (PTRACE_O_EXITKILL); with --all a SIGKILL
        // also reaches them directly, so nothing of the container survives a wedged Sentry.
        List<ProcessHandle> rest = all.get() && signal == SignalNames.SIGKILL
                ? ProcessHandle.of(init.pid()).map(h -> h.descendants().toList()).orElse(List.of()) : List.of();
        // A confined sandbox's init is its namespace launcher, which passes no signal on (it
        // ignores SIGTERM and SIGINT, and dies of the others, SIGKILLing the Sentry): but for
        // SIGKILL the signal goes to the Sentry, its child, and the launcher exits as it does.
        List<ProcessHandle> sentry = signal == SignalNames.SIGKILL ? List.of() : SandboxLaunch.sentryUnder(init.pid());
        if (sentry.isEmpty()) {
            signal(init, signal);
        } else {
            if (!init.isAlive()) throw new RunscException("container not running");
            for (ProcessHandle s : sentry) {
                try {
                    Host.kill(Math.toIntExact(s.pid()), signal);
                } catch (HostException e) {
                    throw new RunscException("cannot send signal " + signal + " to the sandbox's Sentry " + s.pid() + ": " + e.getMessage(), e);
                }
            }
        }
        for (ProcessHandle p : rest) p.destroyForcibly();
        return 0;
    }

    /** Signals {@code p} unless its pid now names another process. */
    private static void signal(HostProcess p, int signal) throws RunscException {
        if (!p.isAlive()) throw new RunscException("container not running");
        try {
            Host.kill(Math.toIntExact(p.pid()), signal);
        } catch (HostException e) {
            throw new RunscException("cannot send signal " + signal + " to the container's process " + p.pid() + ": " + e.getMessage(), e);
        }
    }
}
