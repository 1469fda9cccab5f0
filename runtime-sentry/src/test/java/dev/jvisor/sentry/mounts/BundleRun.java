package dev.jvisor.sentry.mounts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs an OCI bundle through runsc's create, start, wait and delete as the containerd shim
 * does, each a JVM of this class path (no distribution needed): the container's stdout and
 * stderr are create's, here a file.
 */
final class BundleRun {
    /** Debian's busybox-static. */
    static final Path HOST_BUSYBOX = Path.of("/bin/busybox");

    private final Path work;
    private final Path stateRoot;
    private final Path log;

    BundleRun(Path work) {
        this.work = work;
        this.stateRoot = work.resolve("state");
        this.log = work.resolve("log.json");
    }

    record Result(int status, String output) {}

    Path stateRoot() { return stateRoot; }

    Path log() { return log; }

    /** A busybox rootfs: /bin/busybox with a link per applet, and empty /etc, /proc, /dev, /sys, /tmp. */
    static Path busyboxRootfs(Path dir) throws IOException, InterruptedException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.copy(HOST_BUSYBOX, bin.resolve("busybox"));
        Process list = new ProcessBuilder(HOST_BUSYBOX.toString(), "--list").redirectErrorStream(true).start();
        String applets = new String(list.getInputStream().readAllBytes());
        list.waitFor();
        for (String a : applets.lines().map(String::strip).toList()) {
            if (!a.isEmpty() && !a.contains("/") && !Files.exists(bin.resolve(a), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(bin.resolve(a), Path.of("busybox"));
            }
        }
        for (String d : List.of("etc", "proc", "dev", "sys", "tmp")) Files.createDirectories(dir.resolve(d));
        return dir;
    }

    /** runsc create; returns its status, with what it printed. */
    Result create(Path bundle, String id, Path out) throws Exception {
        Process p = new ProcessBuilder(runsc("create", "--bundle", bundle.toString(), "--pid-file", bundle.resolve("init.pid").toString(), id))
                .directory(bundle.toFile()).redirectOutput(out.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("create returns").isTrue();
        return new Result(p.exitValue(), Files.readString(out));
    }

    /** create, start, wait and delete: the container's exit status and everything it printed. */
    Result run(Path bundle, String id) throws Exception {
        Path out = work.resolve(id + ".out");
        Result created = create(bundle, id, out);
        assertThat(created.status()).as("create: " + created.output() + lastLog()).isZero();
        long boot = Long.parseLong(Files.readString(bundle.resolve("init.pid")).strip());
        try {
            Result start = call("start", id);
            assertThat(start.status()).as("start: " + start.output()).isZero();
            Result waited = call("wait", id);
            assertThat(waited.status()).as("wait: " + waited.output()).isZero();
            String status = waited.output().replaceAll("(?s).*\"exitStatus\":(\\d+).*", "$1").strip();
            Result deleted = call("delete", id);
            assertThat(deleted.status()).as("delete: " + deleted.output()).isZero();
            waitGone(boot);
            return new Result(Integer.parseInt(status), Files.readString(out));
        } finally {
            ProcessHandle.of(boot).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    Result call(String... args) throws Exception {
        Process p = new ProcessBuilder(runsc(args)).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), new String(out));
    }

    String lastLog() throws IOException {
        if (!Files.exists(log)) return "";
        List<String> lines = Files.readAllLines(log);
        return lines.isEmpty() ? "" : lines.getLast();
    }

    private List<String> runsc(String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()),
                "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "dev.jvisor.runsc.Main", "--root", stateRoot.toString(), "--log", log.toString(), "--log-format", "json"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Whether any live process has {@code needle} in its command line (a Gofer or boot left behind). */
    /**
     * Processes whose command line names {@code needle}, or that hold it as their root, working
     * directory or an open descriptor: a confined sandbox's Gofer is handed its directory as an
     * open descriptor rather than a path on its command line.
     */
    static List<Long> processesMentioning(String needle) {
        return ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().map(c -> c.contains(needle)).orElse(false) || holds(h.pid(), needle))
                .map(ProcessHandle::pid).toList();
    }

    private static boolean holds(long pid, String needle) {
        Path proc = Path.of("/proc", Long.toString(pid));
        List<Path> links = new ArrayList<>(List.of(proc.resolve("root"), proc.resolve("cwd")));
        try (var fds = Files.list(proc.resolve("fd"))) {
            fds.forEach(links::add);
        } catch (IOException | java.io.UncheckedIOException e) {
            // gone meanwhile, or not ours to read
        }
        for (Path link : links) {
            try {
                if (Files.readSymbolicLink(link).toString().startsWith(needle)) return true;
            } catch (IOException | UnsupportedOperationException e) {
                // gone meanwhile
            }
        }
        return false;
    }

    private static void waitGone(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) Thread.sleep(20);
    }
}
