package dev.jvisor.runsc.cmd;

import dev.jvisor.runsc.cli.Flag;
import dev.jvisor.runsc.cli.FlagSet;
import dev.jvisor.runsc.cli.Invocation;
import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.runsc.cli.Subcommand;
import dev.jvisor.runsc.cli.UsageException;
import dev.jvisor.runsc.lifecycle.ConsoleSocket;
import dev.jvisor.sentry.SandboxSpec;
import dev.jvisor.sentry.host.HostTty;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code runsc do [--rootfs DIR] [--strace] [--tty] [--cwd D] [--env K=V]… -- CMD ARGS…}: runs one
 * command in a new sandbox, without a bundle or container state, and exits with its status.
 */
public final class DoCommand implements Subcommand {
    /** The environment a command gets before --env adds to it. */
    static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** Runs a sandbox to completion and returns its exit status. */
    @FunctionalInterface
    public interface SandboxRunner {
        int run(SandboxSpec spec) throws RunscException;
    }

    private final SandboxRunner runner;
    private Flag<String> rootfs;
    private Flag<Boolean> strace;
    private Flag<String> cwd;
    private Flag<List<String>> env;
    private Flag<String> hostname;
    private Flag<Boolean> tty;

    public DoCommand() {
        this(withEarlyGofer(Subcommands.sentry()));
    }

    /** Starts the root's Gofer before anything else of the sandbox, so that its JVM's start overlaps the Sentry's set-up. */
    static SandboxRunner withEarlyGofer(SandboxRunner runner) {
        return spec -> {
            try (var gofer = BootCommand.startGoferEarly(spec)) {
                return runner.run(spec);
            }
        };
    }

    public DoCommand(SandboxRunner runner) {
        this.runner = runner;
    }

    @Override public String name() { return "do"; }
    @Override public String summary() { return "run a command in a new sandbox over a host directory"; }
    @Override public String argsUsage() { return "[--] <command> [arguments...]"; }

    @Override
    public void defineFlags(FlagSet flags) {
        rootfs = flags.string("rootfs", "DIR", "", "host directory to serve as the sandbox's root filesystem");
        strace = flags.bool("strace", "log every system call the command makes");
        cwd = flags.string("cwd", "DIR", "/", "working directory inside the sandbox");
        env = flags.repeated("env", "KEY=VALUE", "add to the environment (repeatable)");
        hostname = flags.string("hostname", "NAME", "jvisor", "the sandbox's hostname");
        tty = flags.bool("tty", "run the command on this terminal (stdin): the Sentry serves it as /dev/pts/0");
    }

    @Override
    public int execute(Invocation inv, List<String> args) throws RunscException {
        SandboxSpec spec = spec(inv, args);
        if (inv.log().debugEnabled()) inv.log().debug("do: " + spec);
        return runner.run(spec);
    }

    /** The sandbox this invocation asks for; checks everything that can be checked before starting it. */
    SandboxSpec spec(Invocation inv, List<String> args) throws RunscException {
        if (args.isEmpty()) throw new UsageException("do: name a command to run, e.g. runsc do -- /bin/sh -c 'echo hi'");
        Path root = null;
        if (!rootfs.get().isEmpty()) {
            root = Invocation.hostPath("rootfs", rootfs.get()).toAbsolutePath().normalize();
            if (!Files.isDirectory(root)) throw new RunscException("do: --rootfs " + root + " is not a directory");
        }
        if (!cwd.get().startsWith("/")) throw new UsageException("do: --cwd must be an absolute path inside the sandbox");
        List<String> environment = new ArrayList<>();
        environment.add(DEFAULT_PATH);
        for (String kv : env.get()) {
            if (kv.indexOf('=') <= 0) throw new UsageException("do: --env wants KEY=VALUE, got \"" + kv + "\"");
            // A later value for a key replaces the earlier one, as in a shell.
            String key = kv.substring(0, kv.indexOf('=') + 1);
            environment.removeIf(e -> e.startsWith(key));
            environment.add(kv);
        }
        boolean traced = strace.get() || inv.config().strace();
        // Over the host root the command starts where the caller is, as gVisor's runsc do does.
        String dir = root == null && !cwd.isSet() ? Path.of("").toAbsolutePath().toString() : cwd.get();
        SandboxSpec spec = new SandboxSpec(root, args, environment, dir, hostname.get(), traced, 0, 1, 2, inv.config().overlay());
        if (!tty.get()) return spec;
        if (!HostTty.isTerminal(0)) throw new RunscException("do: --tty needs a terminal on stdin");
        // Reopened read-write, with a description of its own: the caller's fd 0 may be read-only,
        // and its flags are the caller's shell's too.
        return ConsoleSocket.onTerminal(spec, "/proc/self/fd/0");
    }
}
