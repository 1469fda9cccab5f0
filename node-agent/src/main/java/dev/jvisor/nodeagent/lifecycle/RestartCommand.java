package dev.jvisor.nodeagent.lifecycle;

import dev.jvisor.nodeagent.containerd.ContainerdFlavour;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Restarts containerd by running a command. By default that is {@code systemctl restart <unit>} in
 * the host's namespaces (the agent runs with hostPID, so {@code nsenter} reaches the host's
 * systemd); tests and unusual hosts configure their own command.
 *
 * @param command the argv to run; no shell is involved
 * @param timeout how long the command may take
 */
public record RestartCommand(List<String> command, Duration timeout) {

    public RestartCommand {
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("restart command is empty");
        }
    }

    /** The systemd restart of the unit that runs this flavour's containerd. */
    public static RestartCommand systemd(ContainerdFlavour flavour, String unit, Duration timeout) {
        return new RestartCommand(List.of("nsenter", "--target", "1", "--mount", "--uts", "--ipc", "--net", "--pid",
                "--", "systemctl", "restart", unit), timeout);
    }

    /** The unit name a flavour's containerd runs as (k3s/rke2 agents on worker nodes have their own units). */
    public static String defaultUnit(ContainerdFlavour flavour, boolean agentNode) {
        return switch (flavour) {
            case K3S -> agentNode ? "k3s-agent" : "k3s";
            case RKE2 -> agentNode ? "rke2-agent" : "rke2-server";
            default -> "containerd";
        };
    }

    /** Runs the command; a non-zero exit or a timeout is a failure that carries its output. */
    public void run() throws LifecycleException {
        Path output;
        Process process;
        try {
            // Output goes to a file, not a pipe: a restarted daemon inherits the command's stdout
            // and would otherwise keep a pipe open for as long as it runs.
            output = Files.createTempFile("jvisor-restart", ".log");
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new LifecycleException(LifecycleException.Step.RESTART, e);
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new LifecycleException(LifecycleException.Step.RESTART,
                        "restart command did not finish within " + timeout + ": " + command);
            }
            if (process.exitValue() != 0) {
                throw new LifecycleException(LifecycleException.Step.RESTART,
                        "restart command exited " + process.exitValue() + ": " + tail(output));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new LifecycleException(LifecycleException.Step.RESTART, e);
        } finally {
            try {
                Files.deleteIfExists(output);
            } catch (IOException ignored) {
                // A leftover log in the temp directory is harmless.
            }
        }
    }

    private static String tail(Path output) {
        try {
            String text = Files.readString(output, StandardCharsets.UTF_8).strip();
            return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
        } catch (IOException e) {
            return "(output unreadable: " + e.getMessage() + ")";
        }
    }
}
