package dev.jvisor.kindtests.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Host commands run to completion with a deadline; output captured through files (no pipe can fill up). */
final class Commands {
    record Result(int status, String out, String err) {
        Result requireSuccess(List<String> command) {
            if (status != 0) throw new CommandFailedException(command, this);
            return this;
        }
    }

    /** A command that exited non-zero where success was required. */
    static final class CommandFailedException extends RuntimeException {
        CommandFailedException(List<String> command, Result r) {
            super(String.join(" ", command) + " exited " + r.status() + "\nstdout: " + r.out() + "\nstderr: " + r.err());
        }
    }

    private Commands() {}

    static Result run(Path cwd, Duration timeout, List<String> command) throws IOException, InterruptedException {
        return run(cwd, timeout, command, Path.of("/dev/null"));
    }

    /** As {@link #run(Path, Duration, List)}, with stdin read from {@code stdin}. */
    static Result run(Path cwd, Duration timeout, List<String> command, Path stdin) throws IOException, InterruptedException {
        Path out = Files.createTempFile("node-cmd", ".out");
        Path err = Files.createTempFile("node-cmd", ".err");
        try {
            Process p = new ProcessBuilder(command).directory(cwd.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(stdin.toFile()))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                throw new IOException("timed out after " + timeout.toSeconds() + "s: " + String.join(" ", command)
                        + "\nstdout: " + Files.readString(out) + "\nstderr: " + Files.readString(err));
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static boolean onPath(String name) {
        return which(name).isPresent();
    }

    /** The executable {@code name} first found on PATH. */
    static java.util.Optional<Path> which(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) return java.util.Optional.of(Path.of(dir, name));
        }
        return java.util.Optional.empty();
    }
}
