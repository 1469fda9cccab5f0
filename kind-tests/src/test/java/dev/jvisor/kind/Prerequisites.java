package dev.jvisor.kind;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** What the kind run needs from the machine, and a one-line reason when something is missing. */
final class Prerequisites {

    static final List<String> TOOLS = List.of("docker", "kind", "kubectl", "helm");

    private Prerequisites() {
    }

    /** Empty when the run can go ahead; otherwise why not, as one line. */
    static Optional<String> missing() {
        List<String> reasons = new ArrayList<>();
        for (String tool : TOOLS) {
            if (onPath(tool).isEmpty()) {
                reasons.add(tool + " is not on PATH");
            }
        }
        if (onPath("docker").isPresent() && !dockerDaemonAnswers()) {
            reasons.add("no Docker daemon answers 'docker info'");
        }
        return reasons.isEmpty() ? Optional.empty()
                : Optional.of("kind e2e skipped: " + String.join(", ", reasons));
    }

    static Optional<Path> onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String directory : path.split(File.pathSeparator)) {
            if (directory.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(directory, tool);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static boolean dockerDaemonAnswers() {
        try {
            Process info = new ProcessBuilder("docker", "info").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!info.waitFor(20, TimeUnit.SECONDS)) {
                info.destroyForcibly().waitFor();
                return false;
            }
            return info.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
