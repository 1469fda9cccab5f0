package dev.jvisor.runsc.dist;

import static dev.jvisor.runsc.dist.HostPids.alive;
import static dev.jvisor.runsc.dist.HostPids.within;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.oci.json.JsonParser;
import dev.jvisor.oci.json.JsonString;
import dev.jvisor.oci.json.JsonWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pod's lifecycle where containerd puts it: a {@code --root} far longer than
 * {@code sockaddr_un} allows once a 64-hex CRI id and a socket name are added. The start
 * handshake, the control channel (exec, kill, the app container joining the pause container's
 * Sentry) and {@code delete --force} all work, and the root is empty afterwards.
 */
class LongStatePathIT {
    private static final Path DIST = Path.of(System.getProperty("jvisor.dist.dir", "target/jvisor-runtime")).toAbsolutePath();
    private static final Path ROOTFS = Path.of(System.getProperty("jvisor.rootfs.busybox", "target/rootfs-busybox")).toAbsolutePath();
    private static final String PAUSE = "4f0c5c1e8b2a9d7e6f3a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e";
    private static final String APP = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";

    @TempDir Path work;
    private Path root;
    private final List<Long> hostPids = new ArrayList<>();

    @BeforeEach
    void longRoot() throws IOException {
        assumeTrue(Files.isDirectory(ROOTFS), "no busybox rootfs (busybox-static missing)");
        // As the shim passes it: <containerd's runtime root>/k8s.io, here under a deep directory.
        root = Files.createDirectories(work.resolve("containerd-state-" + "d".repeat(70)).resolve("io.containerd.runtime.v2.task")
                .resolve("runsc-root")).resolve("k8s.io");
        assertThat(root.toString().length()).isGreaterThanOrEqualTo(150);
        assertThat(root.resolve(PAUSE).resolve("control.sock").toString().getBytes().length).isGreaterThan(107);
    }

    @AfterEach
    void nothingOutlivesATest() {
        for (long pid : hostPids) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    private List<String> runscCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of(DIST.resolve("bin/runsc").toString(), "--root", root.toString(),
                "--log", work.resolve("log.json").toString(), "--log-format", "json"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private DistributionIT.Result runsc(String... args) throws Exception {
        return DistributionIT.exec(work, Map.of(), runscCommand(args).toArray(String[]::new));
    }

    private String lastError() throws IOException {
        Path log = work.resolve("log.json");
        return Files.exists(log) ? Files.readAllLines(log).getLast() : "";
    }

    private Path bundle(String name, String annotations, String script) throws Exception {
        Path b = Files.createDirectories(work.resolve(name));
        Files.createSymbolicLink(b.resolve("rootfs"), ROOTFS);
        Files.writeString(b.resolve("config.json"), """
                {"ociVersion":"1.0.2","hostname":"pod",
                 "process":{"user":{"uid":0,"gid":0},"args":["/bin/sh","-c",%s],"env":["PATH=/bin"],"cwd":"/"},
                 "root":{"path":"rootfs"},"annotations":{%s}}""".formatted(JsonWriter.quote(script), annotations));
        return b;
    }

    private long create(Path b, String id, Path out) throws Exception {
        Path pidFile = b.resolve("init.pid");
        Process p = new ProcessBuilder(runscCommand("create", "--bundle", b.toString(), "--pid-file", pidFile.toString(), id))
                .directory(b.toFile()).redirectOutput(out.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(read(out) + lastError()).isZero();
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        hostPids.add(pid);
        return pid;
    }

    private String status(String id) throws Exception {
        var r = runsc("state", id);
        assertThat(r.status()).as(r.err() + lastError()).isZero();
        return ((JsonString) ((JsonObject) JsonParser.parse(r.out())).get("status")).value();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }



    @Test
    void aPodWithCriIdsUnderALongRootRunsExecsAndLeavesNothing() throws Exception {
        Path pause = bundle("pause", "\"io.kubernetes.cri.container-type\":\"sandbox\"", "while :; do sleep 1; done");
        long sentry = create(pause, PAUSE, work.resolve("pause.out"));
        var start = runsc("start", PAUSE);
        assertThat(start.status()).as(start.err() + lastError()).isZero();
        assertThat(status(PAUSE)).isEqualTo("running");

        // The app container joins the pause container's Sentry over its control socket.
        Path app = bundle("app", "\"io.kubernetes.cri.container-type\":\"container\","
                + "\"io.kubernetes.cri.sandbox-id\":\"" + PAUSE + "\"", "echo app up; while :; do sleep 1; done");
        Path appOut = work.resolve("app.out");
        long waiter = create(app, APP, appOut);
        assertThat(runsc("start", APP).status()).as(lastError()).isZero();
        assertThat(within(30, () -> read(appOut).contains("app up"))).as(read(appOut) + lastError()).isTrue();

        var exec = runsc("exec", APP, "/bin/sh", "-c", "echo exec in $(hostname); exit 3");
        assertThat(exec.status()).as(exec.err() + lastError()).isEqualTo(3);
        assertThat(exec.out()).isEqualTo("exec in pod\n");
        assertThat(runsc("exec", PAUSE, "/bin/true").status()).as(lastError()).isZero();

        assertThat(runsc("kill", APP, "9").status()).as(lastError()).isZero();
        assertThat(within(30, () -> !alive(waiter))).isTrue();
        assertThat(runsc("wait", APP).out().strip()).isEqualTo("{\"id\":\"" + APP + "\",\"exitStatus\":137}");
        assertThat(runsc("delete", APP).status()).as(lastError()).isZero();

        assertThat(runsc("delete", "--force", PAUSE).status()).as(lastError()).isZero();
        assertThat(within(30, () -> !alive(sentry))).isTrue();
        try (var left = Files.list(root)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void aContainerNeverStartedUnderALongRootIsForceDeletedWithItsBootProcess() throws Exception {
        Path b = bundle("never", "", "exit 0");
        long boot = create(b, APP, work.resolve("never.out"));
        // The boot process serves its control channel (where start comes) in the long state directory.
        assertThat(root.resolve(APP).resolve("control.sock")).exists();
        assertThat(status(APP)).isEqualTo("created");
        assertThat(runsc("delete", "--force", APP).status()).as(lastError()).isZero();
        assertThat(within(30, () -> !alive(boot))).isTrue();
        try (var left = Files.list(root)) {
            assertThat(left).isEmpty();
        }
    }
}
