package dev.jvisor.runsc.control;

import dev.jvisor.sentry.host.Host;
import dev.jvisor.sentry.host.HostException;
import dev.jvisor.sentry.host.HostTty;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts an {@link ExecWaiter}: this JVM's java binary and class path, interpreted, with a
 * tiny heap (it does nothing but wait on one socket), the control connection as its fd 0, a
 * pipe on which it says it is ready as its fd 1, and this process's fd 2; every other fd is
 * closed. posix_spawn from this process makes it
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

    /** What the waiter prints on its stdout (a pipe to the launcher) once it forwards signals. */
    static final String READY = "ready";
    /** A cold JVM on a loaded node can take seconds; longer means something is wrong. */
    static final int READY_TIMEOUT_MILLIS = 60_000;
    private static final int O_CLOEXEC = 02000000, POLLIN = 1;

    /**
     * Spawns the waiter holding {@code connectionFd} and returns its host pid once it forwards
     * signals (a signal sent to that pid is never lost to a JVM still starting up).
     */
    public static int spawn(int connectionFd) {
        return spawn(connectionFd, 2);
    }

    /**
     * The same, with /dev/null as the waiter's stderr instead of this process's: for an exec on a
     * terminal, whose stderr is a pipe its caller reads until every holder has closed it.
     */
    public static int spawnQuiet(int connectionFd) {
        int devNull;
        try {
            // A plain read-write open; the helper's O_NOCTTY means nothing for /dev/null.
            devNull = HostTty.openTerminal("/dev/null");
        } catch (HostException e) {
            throw new IllegalStateException("cannot open /dev/null for the exec waiter: " + e.getMessage(), e);
        }
        try {
            return spawn(connectionFd, devNull);
        } finally {
            Host.close(devNull);
        }
    }

    private static int spawn(int connectionFd, int stderrFd) {
        List<String> cmd = command();
        int[] ready = Host.pipe2(O_CLOEXEC);
        int pid;
        try {
            pid = Host.posixSpawn(cmd.getFirst(), cmd.toArray(String[]::new), new int[][] {{connectionFd, 0}, {ready[1], 1}, {stderrFd, 2}}, 3);
        } catch (HostException e) {
            Host.close(ready[0]);
            Host.close(ready[1]);
            throw new IllegalStateException("cannot start the exec waiter: " + e.getMessage(), e);
        }
        Host.close(ready[1]);
        try {
            if (!awaitReady(ready[0])) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                throw new IllegalStateException("the exec waiter " + pid + " did not start");
            }
            return pid;
        } finally {
            Host.close(ready[0]);
        }
    }

    private static boolean awaitReady(int fd) {
        StringBuilder got = new StringBuilder();
        long deadline = System.nanoTime() + READY_TIMEOUT_MILLIS * 1_000_000L;
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment buf = arena.allocate(16);
            while (System.nanoTime() < deadline) {
                if (Host.poll(fd, POLLIN, 100) == 0) continue;
                long n = Host.read(fd, buf, 16);
                if (n <= 0) return false;
                for (int i = 0; i < n; i++) got.append((char) buf.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i));
                if (got.toString().startsWith(READY + "\n")) return true;
                if (got.length() > READY.length() + 1) return false;
            }
        } catch (HostException e) {
            return false;
        }
        return false;
    }
}
