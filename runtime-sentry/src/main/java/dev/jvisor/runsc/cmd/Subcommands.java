package dev.jvisor.runsc.cmd;

import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.runsc.cli.Subcommand;
import dev.jvisor.sentry.Sandbox;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** The table of subcommands: the single place a new one is registered. */
public final class Subcommands {
    private Subcommands() {}

    /** Name → factory, in the order {@code runsc help} lists them. */
    public static Map<String, Supplier<Subcommand>> table() {
        Map<String, Supplier<Subcommand>> t = new LinkedHashMap<>();
        register(t, DoCommand::new);
        register(t, CreateCommand::new);
        register(t, StartCommand::new);
        register(t, RunCommand::new);
        register(t, StateCommand::new);
        register(t, KillCommand::new);
        register(t, PsCommand::new);
        register(t, WaitCommand::new);
        register(t, ExecCommand::new);
        register(t, PauseCommand::new);
        register(t, PauseCommand::resume);
        register(t, UpdateCommand::new);
        register(t, EventsCommand::new);
        register(t, ListCommand::new);
        register(t, DeleteCommand::new);
        register(t, SpecCommand::new);
        register(t, FeaturesCommand::new);
        register(t, VersionCommand::new);
        register(t, BootCommand::new);
        register(t, () -> new HelpCommand(Subcommands::table));
        return t;
    }

    private static void register(Map<String, Supplier<Subcommand>> t, Supplier<Subcommand> factory) {
        String name = factory.get().name();
        if (t.putIfAbsent(name, factory) != null) throw new IllegalStateException("subcommand " + name + " registered twice");
    }

    /**
     * The Sentry entry point {@code do} uses (a parameter of DoCommand so its plumbing is testable
     * alone). A sandbox that cannot be set up is the user's error to fix, reported as such.
     */
    static DoCommand.SandboxRunner sentry() {
        return spec -> {
            try {
                return Sandbox.run(spec);
            } catch (Sandbox.SandboxException | UnsupportedOperationException e) {
                throw new RunscException("sandbox: " + e.getMessage(), e);
            }
        };
    }
}
