package dev.jvisor.runsc.lifecycle;

import dev.jvisor.runsc.Main;
import dev.jvisor.runsc.cli.IoErrors;
import dev.jvisor.runsc.cli.Invocation;
import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.runsc.config.Network;
import dev.jvisor.sentry.host.confine.SandboxLaunch;
import dev.jvisor.runsc.control.ControlProtocol;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Starts {@code runsc boot} for a container being created: the same launcher (or, without an
 * installation, the same JVM and class path), in its own session so that signals meant for
 * create's process group do not reach it, with create's fds 0, 1 and 2 inherited untouched,
 * confined by {@link SandboxLaunch#bootPrefix}: in namespaces of its own, with a reduced
 * capability bounding set. The process create gets back (and writes to the pid file) is then the
 * namespace launcher, whose child is the Sentry; {@link #sandboxProcesses} names both.
 */
public final class BootLauncher {
    /** util-linux setsid(1): execs in place (same pid) when the caller is not a group leader, as a spawned child is not. */
    static final Path SETSID = Path.of("/usr/bin/setsid");
    /** How long create waits for the boot JVM to listen; a cold JVM on a loaded node takes seconds. */
    public static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private BootLauncher() {}

    /** The command line of the boot process for container {@code id}. */
    public static List<String> command(Invocation inv, Path bundle, String id) throws RunscException {
        return command(inv, bundle, id, null);
    }

    /** The same, with {@code console} (a host pty slave's path) as the container's terminal. */
    public static List<String> command(Invocation inv, Path bundle, String id, String console) throws RunscException {
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(SETSID)) cmd.add(SETSID.toString());
        try {
            cmd.addAll(SandboxLaunch.bootPrefix(inv.config().network() == Network.HOST));
        } catch (SandboxLaunch.ConfinementUnavailableException e) {
            throw new RunscException("cannot confine the sandbox: " + e.getMessage(), e);
        }
        cmd.addAll(launcher(inv.home()));
        cmd.add("--root=" + inv.root());
        Path log = inv.log().logFile();
        if (log != null) {
            cmd.add("--log=" + log);
            cmd.add("--log-format=" + inv.log().format().name().toLowerCase(Locale.ROOT));
        }
        if (inv.config().strace()) cmd.add("--strace");
        // The settings create decided (node config, policy, annotations), not the config file's
        // alone: boot reads the same file, so a policy's tightening must travel as a flag.
        cmd.add("--overlay=" + inv.config().overlay());
        inv.config().policySocket().ifPresent(s -> cmd.add("--policy-socket=" + s));
        cmd.add("boot");
        cmd.add("--host-root-fd=" + SandboxLaunch.HOST_ROOT_FD);
        cmd.add("--bundle=" + bundle);
        if (console != null) cmd.add("--console=" + console);
        cmd.add(id);
        return cmd;
    }

    /** bin/runsc of the installation when there is one; otherwise this very JVM and class path. */
    static List<String> launcher(Path home) {
        if (home != null && Files.isExecutable(home.resolve("bin/runsc"))) return List.of(home.resolve("bin/runsc").toString());
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.add("--enable-native-access=ALL-UNNAMED");
        if (home != null) cmd.add("-Djvisor.home=" + home);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        return cmd;
    }

    /**
     * The boot process and everything it has started so far (the Sentry under the namespace
     * launcher). The launcher forks the Sentry at once, before create has made the container's
     * cgroup, so create moves these, not only the launcher, into it; the Sentry starts no stub or
     * Gofer before start, which comes after.
     */
    public static List<Long> sandboxProcesses(Process boot) {
        List<Long> pids = new ArrayList<>();
        pids.add(boot.pid());
        boot.descendants().forEach(d -> pids.add(d.pid()));
        return pids;
    }

    /** Spawns the boot process; its working directory is the bundle, as create's is. */
    public static Process spawn(List<String> command, Path bundle) throws RunscException {
        return start(new ProcessBuilder(command).directory(bundle.toFile())
                .redirectInput(ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT));
    }

    /**
     * Spawns the boot process of a container on a terminal: it keeps none of create's stdio.
     * The shim reads create's output through a pipe until every holder has closed it, so a boot
     * process that inherited it would keep create from ever returning; its errors go to --log.
     */
    public static Process spawnOnTerminal(List<String> command, Path bundle) throws RunscException {
        return start(new ProcessBuilder(command).directory(bundle.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD));
    }

    private static Process start(ProcessBuilder pb) throws RunscException {
        try {
            return pb.start();
        } catch (IOException e) {
            throw new RunscException("cannot start the sandbox process: " + IoErrors.reason(e), e);
        }
    }

    /**
     * Waits until the boot process serves its control channel, where start will come. Fails if it exits first or takes longer
     * than {@code timeout}; the caller then kills it and forgets the container.
     */
    public static void awaitReady(Process boot, Path stateDir, Duration timeout) throws RunscException {
        Path socket = ControlProtocol.socketIn(stateDir);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(socket)) {
            if (!boot.isAlive()) {
                throw new RunscException("the sandbox process exited with status " + boot.exitValue()
                        + " before the container was created (its error is in the log above)");
            }
            if (System.nanoTime() > deadline) {
                throw new RunscException("the sandbox process was not ready after " + timeout.toSeconds() + "s");
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RunscException("interrupted while waiting for the sandbox process");
            }
        }
    }
}
