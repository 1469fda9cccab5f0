package dev.jvisor.runsc;

import dev.jvisor.runsc.cli.Flag;
import dev.jvisor.runsc.cli.FlagSet;
import dev.jvisor.runsc.cli.HelpRequestedException;
import dev.jvisor.runsc.cli.Invocation;
import dev.jvisor.runsc.cli.LogFormat;
import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.runsc.cli.RunscLog;
import dev.jvisor.runsc.cli.Subcommand;
import dev.jvisor.runsc.cli.UsageException;
import dev.jvisor.runsc.cmd.HelpCommand;
import dev.jvisor.runsc.cmd.Subcommands;
import dev.jvisor.runsc.cmd.VersionCommand;
import dev.jvisor.runsc.config.ConfigOption;
import dev.jvisor.runsc.config.RunscConfig;
import dev.jvisor.hostcall.EarlyLink;
import dev.jvisor.startup.StartupTrace;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** {@code runsc [global flags] <command> [flags] [arguments]}. */
public final class Main {
    /** Where container state lives without --root. */
    static final String DEFAULT_ROOT = "/run/jvisor";

    /**
     * What a run of runsc gets from its process.
     *
     * @param home the installation directory holding etc/runsc.toml, or null
     */
    public record Environment(Path home, InputStream in, PrintStream out, PrintStream err, Clock clock) {
        static Environment fromSystem() {
            String home = System.getProperty("jvisor.home");
            return new Environment(home == null ? null : Path.of(home), System.in, System.out, System.err, Clock.systemUTC());
        }

        Path configFile() {
            return home == null ? null : home.resolve("etc").resolve("runsc.toml");
        }
    }

    private Main() {}

    public static void main(String[] args) {
        StartupTrace.mark("runsc-main");
        if (Boolean.getBoolean(EarlyLink.PROPERTY)) {
            EarlyLink.start();
            EarlyLink.warmMemoryAccess();
        }
        int status = run(List.of(args), Environment.fromSystem());
        StartupTrace.mark("runsc-exit");
        System.out.flush();
        System.err.flush();
        // halt, not exit: Runtime.exit first sets up the platform logging framework to report
        // the exit (JDK 21+), loading and running code a short-lived CLI would pay for on every
        // call. runsc registers no shutdown hooks; a command that needs cleanup on exit does it
        // before returning its status. -Djvisor.exitHooks=true exits normally instead, so that
        // JVM tools attached by option (a flight recording's dump on exit) still run.
        if (Boolean.getBoolean("jvisor.exitHooks")) System.exit(status);
        Runtime.getRuntime().halt(status);
    }

    /** Runs one runsc command line and returns its exit status. Never throws. */
    public static int run(List<String> args, Environment env) {
        GlobalFlags g = new GlobalFlags();
        RunscLog log = null; // known once the flags that shape it are parsed
        try {
            List<String> rest = g.flags.parse(args);
            LogFormat format = LogFormat.fromName(g.logFormat.get())
                    .orElseThrow(() -> new UsageException("invalid --log-format \"" + g.logFormat.get() + "\": use text or json"));
            Path logFile = g.log.get().isEmpty() ? null : Invocation.hostPath("log", g.log.get());
            log = new RunscLog(logFile, format, null, false, env.err(), env.clock());
            RunscConfig config = RunscConfig.defaults().withFlags(g.configFlags()).withFile(env.configFile());
            log = new RunscLog(logFile, format, config.debugLog().orElse(null), config.debug(), env.err(), env.clock());
            if (log.debugEnabled()) log.debug("runsc " + String.join(" ", args));

            Map<String, Supplier<Subcommand>> table = Subcommands.table();
            if (g.version.get()) return dispatch(new VersionCommand(), List.of(), g, config, log, env);
            if (rest.isEmpty()) {
                HelpCommand.printCommands(env.err(), table);
                throw new UsageException("no command given");
            }
            Supplier<Subcommand> factory = table.get(rest.getFirst());
            if (factory == null) throw new UsageException("unknown command \"" + rest.getFirst() + "\"; see runsc help");
            return dispatch(factory.get(), rest.subList(1, rest.size()), g, config, log, env);
        } catch (HelpRequestedException e) {
            HelpCommand.printCommands(env.out(), Subcommands.table());
            env.out().println();
            env.out().println("global flags:");
            env.out().print(g.flags.usage());
            return 0;
        } catch (RunscException e) {
            (log != null ? log : g.log(env)).error(e.getMessage());
            return e.exitStatus();
        } catch (RuntimeException | StackOverflowError e) {
            // A bug, not bad input; the caller still gets one error line and a failure status.
            RunscLog l = log != null ? log : g.log(env);
            l.error("internal error: " + e);
            if (l.debugEnabled()) e.printStackTrace(env.err());
            return 1;
        }
    }

    private static int dispatch(Subcommand command, List<String> args, GlobalFlags g, RunscConfig config,
                                RunscLog log, Environment env) throws RunscException {
        FlagSet flags = new FlagSet();
        command.defineFlags(flags);
        List<String> rest;
        try {
            rest = flags.parse(args);
        } catch (HelpRequestedException e) {
            HelpCommand.printCommand(env.out(), command);
            return 0;
        }
        if (g.root.get().isEmpty()) throw new UsageException("--root must name a directory");
        Invocation inv = new Invocation(Invocation.hostPath("root", g.root.get()).toAbsolutePath(), g.systemdCgroup.get(), config, log,
                env.in(), env.out(), env.err(), env.home());
        return command.execute(inv, rest);
    }

    /** runc's global flags, plus one flag per sandbox setting. */
    private static final class GlobalFlags {
        final FlagSet flags = new FlagSet();
        final Flag<String> root = flags.string("root", "DIR", DEFAULT_ROOT, "directory holding container state");
        final Flag<String> log = flags.string("log", "FILE", "", "append errors (and debug lines) to FILE");
        final Flag<String> logFormat = flags.string("log-format", "text|json", "text", "format of --log lines");
        final Flag<Boolean> systemdCgroup = flags.bool("systemd-cgroup", "cgroupsPath is slice:prefix:name, managed through systemd");
        final Flag<Boolean> version = flags.bool("version", "print the version and exit");
        final Map<ConfigOption, Flag<?>> config = new EnumMap<>(ConfigOption.class);

        GlobalFlags() {
            for (ConfigOption o : ConfigOption.values()) {
                config.put(o, o.isBoolean()
                        ? flags.bool(o.key(), Boolean.parseBoolean(o.defaultText()), o.usage())
                        : flags.string(o.key(), "VALUE", o.defaultText(), o.usage()));
            }
        }

        Map<ConfigOption, String> configFlags() {
            Map<ConfigOption, String> set = new EnumMap<>(ConfigOption.class);
            config.forEach((o, f) -> {
                if (f.isSet()) set.put(o, f.get().toString());
            });
            return set;
        }

        /**
         * The log as far as the flags parsed before a failure describe it. A --log-format that
         * cannot be used gets its error in JSON, the format the containerd shim reads.
         */
        RunscLog log(Environment env) {
            Path file;
            try {
                file = log.get().isEmpty() ? null : Invocation.hostPath("log", log.get());
            } catch (UsageException unusable) {
                file = null; // the error then reaches stderr only
            }
            return new RunscLog(file, LogFormat.fromName(logFormat.get()).orElse(LogFormat.JSON), null, false,
                    env.err(), env.clock());
        }
    }
}
