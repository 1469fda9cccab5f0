package dev.jvisor.nodeagent.lifecycle;

import dev.jvisor.nodeagent.containerd.ContainerdFlavour;
import java.io.File;
import java.io.IOException;
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
    public static RestartCommand systemd(String unit, Duration timeout) {
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

    /**
     * Runs the command; a non-zero exit or a timeout is a failure. Its output goes to the agent's
     * own stdout/stderr (the pod log), not to a pipe: a restarted daemon inherits the command's
     * output and would keep a pipe open for as long as it runs, and a file would outlive a killed
     * agent.
     */
    public void run() throws LifecycleException {
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
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
                        "restart command exited " + process.exitValue() + " (its output precedes this in the log): "
                                + command);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new LifecycleException(LifecycleException.Step.RESTART, e);
        }
    }
}
