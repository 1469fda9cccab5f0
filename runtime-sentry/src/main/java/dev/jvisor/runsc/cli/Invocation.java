package dev.jvisor.runsc.cli;

import dev.jvisor.runsc.config.RunscConfig;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything a subcommand may use: the global options, the resolved sandbox configuration, the
 * log and the standard streams. Commands take their streams from here, never from System, so
 * they can run in-process (tests, AOT training).
 *
 * @param root          {@code --root}: the directory holding container state
 * @param systemdCgroup {@code --systemd-cgroup}: cgroupsPath is {@code slice:prefix:name}
 * @param home          the installation directory (the parent of bin/), or null when unknown
 */
public record Invocation(Path root, boolean systemdCgroup, RunscConfig config, RunscLog log,
                         InputStream in, PrintStream out, PrintStream err, Path home) {

    /** Exactly {@code count} arguments, or a usage error naming the expected ones. */
    public static void requireArgs(List<String> args, int count, String names) throws UsageException {
        if (args.size() != count) {
            throw new UsageException("expected " + names + ", got " + args.size() + " argument" + (args.size() == 1 ? "" : "s"));
        }
    }
}
