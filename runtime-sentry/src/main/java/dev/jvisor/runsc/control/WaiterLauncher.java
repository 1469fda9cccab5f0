package dev.jvisor.runsc.control;

import dev.jvisor.sentry.host.Host;
import dev.jvisor.sentry.host.HostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts an {@link ExecWaiter}: this JVM's java binary and class path, interpreted, with a
 * tiny heap (it does nothing but wait on one socket), the control connection as its fd 0 and
 * this process's fds 1 and 2; every other fd is closed. posix_spawn from this process makes it
 * our child; when runsc exits it is re-parented to the nearest subreaper (the containerd shim).
 */
public final class WaiterLauncher {
    private WaiterLauncher() {}

    /** JVM options measured for the waiter (see the README's section on exec). */
    static final List<String> JVM_OPTIONS = List.of(
            "-Xint", "-XX:+UseSerialGC", "-Xms2m", "-Xmx16m", "-Xss256k", "-XX:ReservedCodeCacheSize=8m",
            "-XX:-UsePerfData", "-Xlog:disable", "-Xlog:all=warning:stderr");

    /** The waiter's command line. */
    static List<String> command() {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(JVM_OPTIONS);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ExecWaiter.class.getName());
        return cmd;
    }

    /** Spawns the waiter holding {@code connectionFd}; returns its host pid. */
    public static int spawn(int connectionFd) {
        List<String> cmd = command();
        try {
            return Host.posixSpawn(cmd.getFirst(), cmd.toArray(String[]::new), new int[][] {{connectionFd, 0}, {1, 1}, {2, 2}}, 3);
        } catch (HostException e) {
            throw new IllegalStateException("cannot start the exec waiter: " + e.getMessage(), e);
        }
    }
}
