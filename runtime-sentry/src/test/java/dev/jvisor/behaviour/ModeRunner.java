package dev.jvisor.behaviour;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs an {@link Invocation} in a {@link Mode} and collects its {@link Outcome}.
 *
 * <p>Natively the program is the copy inside the rootfs directory, run with a cleared
 * environment ({@code PATH} = the rootfs {@code bin}, {@code TMPDIR} = the working directory) in
 * that working directory. Under jVisor it is {@code dev.jvisor.runsc.Main do --rootfs ROOT} in a
 * child JVM with this JVM's class path, so the Sentry under test is the one just compiled. Under
 * gVisor it is {@code /usr/bin/runsc do --root ROOT}. In both sandboxes the working directory is
 * {@code /tmp} and {@code TMPDIR} is unset, so programs fall back to {@code /tmp}.
 */
final class ModeRunner {
    static final String RUNSC_MAIN = "dev.jvisor.runsc.Main";

    /** gVisor's runsc from the Debian package, the reference sandbox. */
    static final Path GVISOR_RUNSC = Path.of("/usr/bin/runsc");

    private ModeRunner() {
    }

    static Outcome run(Mode mode, Invocation invocation, Path rootfs, Path workDir) {
        // Beside the working directory, inside the case directory that is removed afterwards.
        Path stats = workDir.resolveSibling("syscall-stats");
        ProcessBuilder builder = switch (mode) {
            case NATIVE -> nativeCommand(invocation, rootfs, workDir);
            case JVISOR -> jvisorCommand(invocation, rootfs, workDir, stats);
            case GVISOR -> gvisorCommand(invocation, rootfs, workDir);
        };
        Outcome outcome = collect(builder, invocation, mode);
        if (mode == Mode.JVISOR) {
            SyscallCoverage.record(invocation, stats);
        }
        return outcome;
    }

    private static ProcessBuilder nativeCommand(Invocation invocation, Path rootfs, Path workDir) {
        List<String> command = new ArrayList<>();
        command.add(rootfs.resolve(invocation.program().substring(1)).toString());
        for (String arg : invocation.args()) {
            command.add(arg.replace(Invocation.ROOT, rootfs.toString()));
        }
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("PATH", rootfs.resolve("bin").toString());
        env.put("TMPDIR", workDir.toString());
        env.putAll(invocation.env());
        return builder;
    }

    private static ProcessBuilder jvisorCommand(Invocation invocation, Path rootfs, Path workDir, Path stats) {
        requireRunsc();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-D" + SyscallCoverage.STATS_PROPERTY + "=" + stats,
                "-cp", System.getProperty("java.class.path"),
                RUNSC_MAIN, "do", "--rootfs", rootfs.toString(), "--cwd", "/tmp", "--env", "PATH=/bin"));
        invocation.env().forEach((k, v) -> command.addAll(List.of("--env", k + "=" + v)));
        command.add("--");
        command.add(invocation.program());
        for (String arg : invocation.args()) {
            command.add(arg.replace(Invocation.ROOT, "/"));
        }
        return new ProcessBuilder(command).directory(workDir.toFile());
    }

    /**
     * gVisor's {@code do} gives the command runsc's own environment, so that is cleared to match
     * the other modes; its rootfs is a read-only view of ROOT with a tmpfs overlay.
     */
    private static ProcessBuilder gvisorCommand(Invocation invocation, Path rootfs, Path workDir) {
        if (!java.nio.file.Files.isExecutable(GVISOR_RUNSC)) {
            throw new BehaviourSetupException(Mode.PROPERTY + " selects gvisor, but " + GVISOR_RUNSC
                    + " is not installed (Debian package runsc)");
        }
        List<String> command = new ArrayList<>(List.of(GVISOR_RUNSC.toString(), "--network=none",
                "--platform=ptrace", "do", "--quiet", "--root", rootfs.toString(), "--cwd", "/tmp"));
        command.add(invocation.program());
        for (String arg : invocation.args()) {
            command.add(arg.replace(Invocation.ROOT, "/"));
        }
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("PATH", "/bin");
        env.putAll(invocation.env());
        return builder;
    }

    private static void requireRunsc() {
        try {
            Class.forName(RUNSC_MAIN, false, ModeRunner.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new BehaviourSetupException(Mode.PROPERTY + " selects jvisor, but " + RUNSC_MAIN
                    + " is not on the class path (runsc is not built in this tree yet)", e);
        }
    }

    private static Outcome collect(ProcessBuilder builder, Invocation invocation, Mode mode) {
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new BehaviourSetupException("cannot start " + builder.command(), e);
        }
        try {
            process.getOutputStream().close();
            StreamCollector out = StreamCollector.start(process.getInputStream());
            StreamCollector err = StreamCollector.start(process.getErrorStream());
            if (!process.waitFor(invocation.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                killTree(process);
                throw new BehaviourSetupException(mode.label() + ": " + invocation.program() + " "
                        + invocation.args() + " did not finish within " + invocation.timeout()
                        + "\nstdout so far:\n" + out.snapshot() + "\nstderr so far:\n" + err.snapshot());
            }
            return new Outcome(out.await(30, TimeUnit.SECONDS), err.await(30, TimeUnit.SECONDS), process.exitValue());
        } catch (IOException e) {
            killTree(process);
            throw new BehaviourSetupException("cannot collect the output of " + invocation.program(), e);
        } catch (InterruptedException e) {
            killTree(process);
            Thread.currentThread().interrupt();
            throw new BehaviourSetupException("interrupted while running " + invocation.program(), e);
        }
    }

    /** Kills descendants first so none is left running once its parent is gone. */
    private static void killTree(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
