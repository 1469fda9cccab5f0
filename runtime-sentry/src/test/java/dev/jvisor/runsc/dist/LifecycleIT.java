package dev.jvisor.runsc.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jvisor.oci.json.JsonNumber;
import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.oci.json.JsonParser;
import dev.jvisor.oci.json.JsonString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OCI lifecycle through the packaged bin/runsc, as the containerd shim drives it: create
 * (the container's stdio are create's fds), start, state, ps, kill, wait, delete, with busybox
 * in the Sentry. The boot process is not this JVM's child (create's, and create exits), so its
 * exit status is read back through {@code runsc wait}.
 */
class LifecycleIT {
    private static final Path DIST = Path.of(System.getProperty("jvisor.dist.dir", "target/jvisor-runtime")).toAbsolutePath();
    private static final Path ROOTFS = Path.of(System.getProperty("jvisor.rootfs.busybox", "target/rootfs-busybox")).toAbsolutePath();

    @TempDir Path work;
    private final List<Long> bootPids = new ArrayList<>();

    @AfterEach
    void noBootProcessOutlivesATest() throws Exception {
        for (long pid : bootPids) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private Path bundle(String args) throws Exception {
        Path bundle = Files.createDirectories(work.resolve("bundle"));
        Files.createSymbolicLink(bundle.resolve("rootfs"), ROOTFS.toAbsolutePath());
        Files.writeString(bundle.resolve("config.json"), """
                {"ociVersion":"1.0.2","hostname":"box",
                 "process":{"user":{"uid":0,"gid":0},"args":%s,"env":["PATH=/bin"],"cwd":"/tmp"},
                 "root":{"path":"rootfs"}}""".formatted(args));
        return bundle;
    }

    private DistributionIT.Result runsc(Path cwd, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(DIST.resolve("bin/runsc").toString(), "--root", work.resolve("root").toString(),
                "--log", work.resolve("log.json").toString(), "--log-format", "json"));
        cmd.addAll(List.of(args));
        return DistributionIT.exec(cwd, java.util.Map.of(), cmd.toArray(String[]::new));
    }

    /** create with its stdout and stderr going to {@code out}, as the shim hands it its fifos. */
    private long create(Path bundle, String id, Path out, String... globalFlags) throws Exception {
        Path pidFile = bundle.resolve("init.pid");
        List<String> cmd = new ArrayList<>(List.of(DIST.resolve("bin/runsc").toString(), "--root", work.resolve("root").toString(),
                "--log", work.resolve("log.json").toString(), "--log-format", "json"));
        cmd.addAll(List.of(globalFlags));
        cmd.addAll(List.of("create", "--bundle", bundle.toString(), "--pid-file", pidFile.toString(), id));
        Process p = new ProcessBuilder(cmd).directory(bundle.toFile()).redirectOutput(out.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(out)).isZero();
        long pid = Long.parseLong(Files.readString(pidFile));
        bootPids.add(pid);
        // The pid descends from create and outlives it.
        assertThat(ProcessHandle.of(pid)).isPresent();
        return pid;
    }

    /** Whether the process is gone (a killed orphan stays a zombie until its new parent reaps it). */
    private static boolean goneWithin(long pid, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            if (System.nanoTime() > deadline) return false;
            Thread.sleep(20);
        }
        return true;
    }

    private JsonObject state(Path bundle, String id) throws Exception {
        var r = runsc(bundle, "state", id);
        assertThat(r.status()).as(r.err()).isZero();
        return (JsonObject) JsonParser.parse(r.out());
    }

    private static String status(JsonObject state) {
        return ((JsonString) state.get("status")).value();
    }

    @Test
    void echoAndExitStatusThroughCreateStartWaitDelete() throws Exception {
        assumeTrue(Files.isDirectory(ROOTFS), "no busybox rootfs (busybox-static missing)");
        // create's stdin is a pipe that ends when create does; the program waits for a signal instead.
        Path bundle = bundle("[\"/bin/sh\",\"-c\",\"echo hello from $(hostname) in $(pwd); trap 'exit 7' TERM; while :; do sleep 1; done\"]");
        Path out = work.resolve("out.txt");
        long pid = create(bundle, "c1", out);
        JsonObject created = state(bundle, "c1");
        assertThat(status(created)).isEqualTo("created");
        assertThat(((JsonNumber) created.get("pid")).longValueExact().getAsLong()).isEqualTo(pid);

        var start = runsc(bundle, "start", "c1");
        assertThat(start.status()).as(start.err()).isZero();
        assertThat(status(state(bundle, "c1"))).isEqualTo("running");
        // ps: the boot process, then the stubs that run the container's processes (its children).
        var ps = runsc(bundle, "ps", "--format", "json", "c1");
        List<Long> stubs = ((dev.jvisor.oci.json.JsonArray) JsonParser.parse(ps.out())).elements().stream()
                .map(v -> ((JsonNumber) v).longValueExact().getAsLong()).toList();
        assertThat(stubs.getFirst()).isEqualTo(pid);
        assertThat(stubs).hasSizeGreaterThan(1);
        // Host pids, descendants of the boot process (the namespace launcher, whose child is the Sentry).
        List<Long> sandbox = ProcessHandle.of(pid).orElseThrow().descendants().map(ProcessHandle::pid).toList();
        assertThat(stubs.subList(1, stubs.size())).allMatch(sandbox::contains);

        assertThat(runsc(bundle, "kill", "c1", "15").status()).isZero();
        var waited = runsc(bundle, "wait", "c1");
        assertThat(waited.out().strip()).isEqualTo("{\"id\":\"c1\",\"exitStatus\":7}");
        assertThat(Files.readString(out)).isEqualTo("hello from box in /tmp\n");
        assertThat(status(state(bundle, "c1"))).isEqualTo("stopped");
        var kill = runsc(bundle, "kill", "c1", "15");
        assertThat(kill.status()).isNotZero();
        assertThat(Files.readAllLines(work.resolve("log.json")).getLast()).contains("\"msg\":\"container not running\"");

        assertThat(runsc(bundle, "delete", "c1").status()).isZero();
        assertThat(runsc(bundle, "delete", "--force", "c1").status()).isZero();
        try (var left = Files.list(work.resolve("root"))) {
            assertThat(left).isEmpty();
        }
    }

    /**
     * The overlay setting create decided reaches the boot process: with {@code --overlay=false}
     * the container's writes land in the bundle's rootfs (as under runc), by default they stay in
     * the Sentry's memory. The rootfs is a private copy: this test writes to it.
     */
    @Test
    void theOverlaySettingOfCreateDecidesWhereTheRootsWritesGo() throws Exception {
        assumeTrue(Files.isDirectory(ROOTFS), "no busybox rootfs (busybox-static missing)");
        Path bundle = bundle("[\"/bin/busybox\",\"sh\",\"-c\",\"echo written > /probe\"]");
        Path rootfs = bundle.resolve("rootfs");
        Files.delete(rootfs);
        Files.createDirectories(rootfs.resolve("bin"));
        Files.createDirectories(rootfs.resolve("tmp"));
        Files.copy(ROOTFS.resolve("bin/busybox"), rootfs.resolve("bin/busybox"));
        for (boolean overlay : new boolean[] {true, false}) {
            String id = "ov-" + overlay;
            create(bundle, id, work.resolve(id + ".out"), "--overlay=" + overlay);
            assertThat(runsc(bundle, "start", id).status()).isZero();
            assertThat(runsc(bundle, "wait", id).out().strip()).isEqualTo("{\"id\":\"" + id + "\",\"exitStatus\":0}");
            assertThat(Files.exists(rootfs.resolve("probe"))).as("host sees the write with --overlay=" + overlay).isEqualTo(!overlay);
            assertThat(runsc(bundle, "delete", id).status()).isZero();
        }
        assertThat(Files.readString(rootfs.resolve("probe"))).isEqualTo("written\n");
    }

    @Test
    void sigkillGives137AndDeleteForceOfACreatedContainerLeavesNothing() throws Exception {
        assumeTrue(Files.isDirectory(ROOTFS), "no busybox rootfs (busybox-static missing)");
        Path bundle = bundle("[\"/bin/sleep\",\"600\"]");
        long pid = create(bundle, "k", work.resolve("k.out"));
        assertThat(runsc(bundle, "start", "k").status()).isZero();
        var kill = runsc(bundle, "kill", "--all", "k", "9");
        assertThat(kill.status()).as(kill.err()).isZero();
        assertThat(runsc(bundle, "wait", "k").out().strip()).isEqualTo("{\"id\":\"k\",\"exitStatus\":137}");
        assertThat(goneWithin(pid, 10)).isTrue();
        assertThat(runsc(bundle, "delete", "k").status()).isZero();

        // Never started: delete --force kills the waiting boot process and forgets the container.
        long waiting = create(bundle, "never", work.resolve("never.out"));
        assertThat(runsc(bundle, "delete", "--force", "never").status()).isZero();
        assertThat(goneWithin(waiting, 10)).isTrue();
        try (var left = Files.list(work.resolve("root"))) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void runCreatesStartsWaitsAndDeletesAndPassesSignalsOn() throws Exception {
        assumeTrue(Files.isDirectory(ROOTFS), "no busybox rootfs (busybox-static missing)");
        Path bundle = bundle("[\"/bin/sh\",\"-c\",\"echo ran in $(hostname); exit 7\"]");
        var ran = runsc(bundle, "run", "--bundle", bundle.toString(), "r1");
        assertThat(ran.status()).as(ran.err()).isEqualTo(7);
        assertThat(ran.out()).isEqualTo("ran in box\n");
        try (var left = Files.list(work.resolve("root"))) {
            assertThat(left).as("run deletes the container after it exits").isEmpty();
        }

        // In the foreground, a signal to run reaches the container's program (here its init's handler).
        Files.writeString(bundle.resolve("config.json"), Files.readString(bundle.resolve("config.json"))
                .replace("echo ran in $(hostname); exit 7", "trap 'echo got TERM; exit 3' TERM; echo ready; while :; do sleep 1; done"));
        Path out = work.resolve("run-out.txt");
        List<String> cmd = new ArrayList<>(List.of(DIST.resolve("bin/runsc").toString(), "--root", work.resolve("root").toString(),
                "--log", work.resolve("log.json").toString(), "--log-format", "json", "run", "--bundle", bundle.toString(), "r2"));
        Process run = new ProcessBuilder(cmd).directory(bundle.toFile()).redirectOutput(out.toFile()).redirectErrorStream(true).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(out).contains("ready") && System.nanoTime() < deadline) Thread.sleep(50);
            assertThat(Files.readString(out)).contains("ready");
            run.toHandle().descendants().forEach(h -> bootPids.add(h.pid()));
            new ProcessBuilder("kill", "-TERM", Long.toString(run.pid())).start().waitFor();
            assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(run.exitValue()).as(Files.readString(out)).isEqualTo(3);
            assertThat(Files.readString(out)).contains("got TERM");
        } finally {
            run.destroyForcibly();
        }
        try (var left = Files.list(work.resolve("root"))) {
            assertThat(left).isEmpty();
        }

        // Detached, it returns once the program runs and leaves the container to the caller.
        var detached = runsc(bundle, "run", "--detach", "--bundle", bundle.toString(), "r3");
        assertThat(detached.status()).as(detached.err()).isZero();
        assertThat(status(state(bundle, "r3"))).isEqualTo("running");
        assertThat(runsc(bundle, "delete", "--force", "r3").status()).isZero();
        try (var left = Files.list(work.resolve("root"))) {
            assertThat(left).isEmpty();
        }
    }
}
