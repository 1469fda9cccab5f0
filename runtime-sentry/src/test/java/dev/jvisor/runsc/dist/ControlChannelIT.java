package dev.jvisor.runsc.dist;

import static dev.jvisor.runsc.dist.HostPids.alive;
import static dev.jvisor.runsc.dist.HostPids.within;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jvisor.oci.json.JsonArray;
import dev.jvisor.oci.json.JsonNumber;
import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.oci.json.JsonParser;
import dev.jvisor.oci.json.JsonString;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
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
 * A running sandbox's control channel through the packaged bin/runsc, as the containerd shim
 * uses it: exec (exit codes, signal forwarding, the detached waiter and what its SIGKILL does),
 * kill --all, ps, pause and resume, and what bad input on the control socket gets.
 */
class ControlChannelIT {
    private static final Path DIST = Path.of(System.getProperty("jvisor.dist.dir", "target/jvisor-runtime")).toAbsolutePath();
    private static final Path ROOTFS = Path.of(System.getProperty("jvisor.rootfs.busybox", "target/rootfs-busybox")).toAbsolutePath();

    @TempDir Path work;
    private Path bundle;
    private final List<Long> hostPids = new ArrayList<>();

    @BeforeEach
    void busybox() {
        assumeTrue(Files.isDirectory(ROOTFS), "no busybox rootfs (busybox-static missing)");
    }

    @AfterEach
    void nothingOutlivesATest() throws Exception {
        List<ProcessHandle> alive = new ArrayList<>();
        for (long pid : hostPids) {
            ProcessHandle.of(pid).ifPresent(h -> {
                alive.addAll(h.descendants().toList());
                alive.add(h);
            });
        }
        alive.forEach(ProcessHandle::destroyForcibly);
        // Gone before the temporary directory is removed: a boot process still ending would write
        // its container's exit status into it while it is being deleted.
        for (ProcessHandle h : alive) h.onExit().get(30, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- helpers

    private Path bundle(String script) throws Exception {
        bundle = Files.createDirectories(work.resolve("bundle"));
        Files.createSymbolicLink(bundle.resolve("rootfs"), ROOTFS);
        Files.writeString(bundle.resolve("config.json"), """
                {"ociVersion":"1.0.2","hostname":"box",
                 "process":{"user":{"uid":0,"gid":0},"args":["/bin/sh","-c",%s],"env":["PATH=/bin"],"cwd":"/"},
                 "root":{"path":"rootfs"}}""".formatted(JsonStringOf(script)));
        return bundle;
    }

    private static String JsonStringOf(String s) {
        return dev.jvisor.oci.json.JsonWriter.quote(s);
    }

    private List<String> runscCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of(DIST.resolve("bin/runsc").toString(), "--root", work.resolve("root").toString(),
                "--log", work.resolve("log.json").toString(), "--log-format", "json"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private DistributionIT.Result runsc(String... args) throws Exception {
        return DistributionIT.exec(bundle, Map.of(), runscCommand(args).toArray(String[]::new));
    }

    /** create + start, the container's output going to {@code out}; returns the boot pid. */
    private long run(String id, Path out) throws Exception {
        Path pidFile = bundle.resolve(id + ".pid");
        Process p = new ProcessBuilder(runscCommand("create", "--bundle", bundle.toString(), "--pid-file", pidFile.toString(), id))
                .directory(bundle.toFile()).redirectOutput(out.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(out)).isZero();
        long pid = Long.parseLong(Files.readString(pidFile));
        hostPids.add(pid);
        var start = runsc("start", id);
        assertThat(start.status()).as(start.err() + lastError()).isZero();
        return pid;
    }

    private String lastError() throws IOException {
        Path log = work.resolve("log.json");
        return Files.exists(log) ? Files.readAllLines(log).getLast() : "";
    }

    private Path processJson(String script) throws IOException {
        return Files.writeString(work.resolve("process-" + System.nanoTime() + ".json"), """
                {"args":["/bin/sh","-c",%s],"env":["PATH=/bin"],"cwd":"/tmp","user":{"uid":0,"gid":0}}""".formatted(JsonStringOf(script)));
    }

    private List<Long> ps(String id) throws Exception {
        var r = runsc("ps", "--format", "json", id);
        assertThat(r.status()).as(r.err() + lastError()).isZero();
        return ((JsonArray) JsonParser.parse(r.out())).elements().stream()
                .map(v -> ((JsonNumber) v).longValueExact().getAsLong()).toList();
    }

    private String status(String id) throws Exception {
        var r = runsc("state", id);
        return ((JsonString) ((JsonObject) JsonParser.parse(r.out())).get("status")).value();
    }




    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    // ---------------------------------------------------------------- exec

    @Test
    void execReturnsExitCodesOutputAndSignalStatuses() throws Exception {
        bundle("echo init up; while :; do sleep 1; done");
        run("e", work.resolve("e.out"));
        Path out = work.resolve("exec.out");
        Process exec = new ProcessBuilder(runscCommand("exec", "--process", processJson("echo from $(hostname) in $(pwd); exit 7").toString(), "e"))
                .directory(bundle.toFile()).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.appendTo(out.toFile())).start();
        assertThat(exec.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(exec.exitValue()).as(read(out) + lastError()).isEqualTo(7);
        assertThat(read(out)).isEqualTo("from box in /tmp\n");

        // Killed by a signal: 128+N, as a shell reports it.
        var killed = runsc("exec", "e", "/bin/sh", "-c", "kill -9 $$");
        assertThat(killed.status()).as(killed.err() + lastError()).isEqualTo(137);

        // A program that does not exist is exec's own error, and the sandbox goes on.
        var missing = runsc("exec", "e", "/no/such/program");
        assertThat(missing.status()).isNotZero();
        assertThat(lastError()).contains("cannot execute /no/such/program");
        assertThat(runsc("exec", "e", "/bin/true").status()).isZero();
        assertThat(status("e")).isEqualTo("running");
    }

    @Test
    void execForwardsSignalsAndItsProcessFileIsGone() throws Exception {
        bundle("while :; do sleep 1; done");
        run("s", work.resolve("s.out"));
        Path out = work.resolve("exec.out");
        Path process = processJson("trap 'echo got TERM; exit 42' TERM; echo ready; while :; do sleep 1; done");
        Process exec = new ProcessBuilder(runscCommand("exec", "--process", process.toString(), "s"))
                .directory(bundle.toFile()).redirectOutput(out.toFile()).start();
        hostPids.add(exec.pid());
        assertThat(within(30, () -> read(out).contains("ready"))).as(read(out)).isTrue();
        assertThat(process).doesNotExist();
        exec.destroy(); // SIGTERM to runsc exec, which passes it on
        assertThat(exec.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(exec.exitValue()).isEqualTo(42);
        assertThat(read(out)).isEqualTo("ready\ngot TERM\n");
    }

    @Test
    void detachedExecLeavesAWaiterThatForwardsSignalsAndWhoseSigkillKillsTheProcess() throws Exception {
        bundle("while :; do sleep 1; done");
        long boot = run("d", work.resolve("d.out"));
        List<Long> before = ps("d");

        Path out = work.resolve("waiter.out");
        Path pidFile = work.resolve("exec.pid");
        Path process = processJson("trap 'echo got TERM; exit 3' TERM; echo ready; while :; do sleep 1; done");
        Process exec = new ProcessBuilder(runscCommand("exec", "--process", process.toString(), "--detach", "--pid-file", pidFile.toString(), "d"))
                .directory(bundle.toFile()).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.appendTo(out.toFile())).start();
        assertThat(exec.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(exec.exitValue()).as(read(out) + lastError()).isZero();
        assertThat(process).doesNotExist();
        long waiter = Long.parseLong(Files.readString(pidFile).strip());
        hostPids.add(waiter);
        assertThat(alive(waiter)).as("the waiter outlives exec").isTrue();
        assertThat(waiter).isNotEqualTo(boot);
        assertThat(within(30, () -> read(out).contains("ready"))).as(read(out)).isTrue();
        new ProcessBuilder("kill", "-TERM", Long.toString(waiter)).start().waitFor();
        assertThat(within(30, () -> read(out).contains("got TERM"))).as(read(out)).isTrue();
        assertThat(within(30, () -> !alive(waiter))).as("the waiter exits with its process").isTrue();

        // A second one: SIGKILL its waiter, and the sandboxed process goes too.
        Path out2 = work.resolve("waiter2.out");
        Process exec2 = new ProcessBuilder(runscCommand("exec", "--process", processJson("echo second; exec sleep 1000").toString(),
                "--detach", "--pid-file", pidFile.toString(), "d"))
                .directory(bundle.toFile()).redirectOutput(out2.toFile()).start();
        assertThat(exec2.waitFor(60, TimeUnit.SECONDS)).isTrue();
        long waiter2 = Long.parseLong(Files.readString(pidFile).strip());
        hostPids.add(waiter2);
        assertThat(within(30, () -> read(out2).contains("second"))).isTrue();
        List<Long> with = ps("d");
        List<Long> added = new ArrayList<>(with);
        added.removeAll(before);
        assertThat(added).as("the exec'd process's stub").isNotEmpty();
        new ProcessBuilder("kill", "-KILL", Long.toString(waiter2)).start().waitFor();
        assertThat(within(30, () -> added.stream().noneMatch(HostPids::alive))).as("stubs " + added + " gone").isTrue();
        assertThat(ps("d")).doesNotContainAnyElementsOf(added);
        assertThat(status("d")).isEqualTo("running");
    }

    // ---------------------------------------------------------------- kill, pause

    @Test
    void killAllEndsEveryProcessAndTheSandbox() throws Exception {
        bundle("while :; do sleep 1; done");
        long boot = run("k", work.resolve("k.out"));
        var exec = runsc("exec", "--process", processJson("exec sleep 1000").toString(), "--detach", "--pid-file",
                work.resolve("k.pid").toString(), "k");
        assertThat(exec.status()).as(exec.err() + lastError()).isZero();
        hostPids.add(Long.parseLong(Files.readString(work.resolve("k.pid")).strip()));
        List<Long> stubs = ps("k");
        assertThat(stubs.size()).isGreaterThanOrEqualTo(2);
        var kill = runsc("kill", "--all", "k", "9");
        assertThat(kill.status()).as(kill.err() + lastError()).isZero();
        assertThat(within(30, () -> !alive(boot) && stubs.stream().noneMatch(HostPids::alive))).isTrue();
        assertThat(runsc("wait", "k").out().strip()).isEqualTo("{\"id\":\"k\",\"exitStatus\":137}");
        assertThat(runsc("kill", "k", "9").status()).isNotZero();
        assertThat(lastError()).contains("container not running");
        assertThat(runsc("delete", "k").status()).isZero();
    }

    @Test
    void pauseStopsEveryTaskAndResumeLetsThemGo() throws Exception {
        bundle("i=0; while :; do i=$((i+1)); echo $i; done");
        Path out = work.resolve("p.out");
        run("p", out);
        assertThat(within(30, () -> read(out).length() > 100)).isTrue();
        var pause = runsc("pause", "p");
        assertThat(pause.status()).as(pause.err() + lastError()).isZero();
        assertThat(status("p")).isEqualTo("paused");
        long size = Files.size(out);
        Thread.sleep(500);
        assertThat(Files.size(out)).as("no output while paused").isEqualTo(size);
        assertThat(runsc("pause", "p").status()).as("pausing twice").isNotZero();
        var resume = runsc("resume", "p");
        assertThat(resume.status()).as(resume.err() + lastError()).isZero();
        assertThat(status("p")).isEqualTo("running");
        assertThat(within(30, () -> read(out).length() > size + 100)).isTrue();
        assertThat(runsc("kill", "p", "9").status()).isZero();
    }

    // ---------------------------------------------------------------- pods

    /** A bundle of its own, over a copy of busybox with {@code marker} at its root. */
    private Path podBundle(String name, String marker, String annotations, String script) throws Exception {
        Path b = Files.createDirectories(work.resolve(name));
        Path rootfs = b.resolve("rootfs");
        assertThat(new ProcessBuilder("cp", "-a", ROOTFS.toString(), rootfs.toString()).start().waitFor()).isZero();
        Files.writeString(rootfs.resolve(marker), name + "\n");
        Files.writeString(b.resolve("config.json"), """
                {"ociVersion":"1.0.2","hostname":"pod",
                 "process":{"user":{"uid":0,"gid":0},"args":["/bin/sh","-c",%s],"env":["PATH=/bin"],"cwd":"/"},
                 "root":{"path":"rootfs"},"annotations":{%s}}""".formatted(JsonStringOf(script), annotations));
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

    @Test
    void aPodsContainersShareOneSentryWithSeparateRoots() throws Exception {
        Path pause = podBundle("pause", "pause-marker", "\"io.kubernetes.cri.container-type\":\"sandbox\"", "while :; do sleep 1; done");
        bundle = pause;
        long sentry = create(pause, "pause", work.resolve("pause.out"));
        assertThat(runsc("start", "pause").status()).as(lastError()).isZero();

        Path app = podBundle("app", "app-marker", "\"io.kubernetes.cri.container-type\":\"container\","
                + "\"io.kubernetes.cri.sandbox-id\":\"pause\"", "echo app sees $(ls / | grep marker); while :; do sleep 1; done");
        Path appOut = work.resolve("app.out");
        long waiter = create(app, "app", appOut);
        assertThat(waiter).isNotEqualTo(sentry);
        assertThat(status("app")).isEqualTo("created");
        assertThat(runsc("start", "app").status()).as(lastError()).isZero();
        assertThat(within(30, () -> read(appOut).contains("app sees"))).as(read(appOut) + lastError()).isTrue();
        assertThat(read(appOut)).isEqualTo("app sees app-marker\n");
        assertThat(status("app")).isEqualTo("running");

        // One Sentry: the app's stubs descend from the pause container's boot process (the
        // namespace launcher, whose child is the Sentry).
        List<Long> appPids = ps("app");
        assertThat(appPids.getFirst()).isEqualTo(waiter);
        List<Long> podProcesses = ProcessHandle.of(sentry).orElseThrow().descendants().map(ProcessHandle::pid).toList();
        assertThat(appPids.subList(1, appPids.size())).isNotEmpty().allMatch(podProcesses::contains);
        // exec lands in the named container's root, not the other's.
        assertThat(runsc("exec", "app", "/bin/cat", "/app-marker").out()).isEqualTo("app\n");
        // The pod's Sentry refuses a second container of that name, and names that are not ids.
        Path sandboxSocket = work.resolve("root/pause/control.sock");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "python3 sends the fds");
        assertThat(withStdioFds(sandboxSocket, "{\"v\":1,\"op\":\"create\",\"container\":\"../evil\",\"rootfs\":\"/\",\"argv\":[\"/bin/true\"]}"))
                .contains("\"BAD_REQUEST\"").contains("container:");
        assertThat(withStdioFds(sandboxSocket, "{\"v\":1,\"op\":\"create\",\"container\":\"app\",\"rootfs\":\"/\",\"argv\":[\"/bin/true\"]}"))
                .contains("\"WRONG_STATE\"").contains("already exists");
        assertThat(withStdioFds(sandboxSocket, "{\"v\":1,\"op\":\"create\",\"container\":\"other\",\"rootfs\":\"relative\",\"argv\":[\"/bin/true\"]}"))
                .contains("\"BAD_REQUEST\"").contains("absolute path");
        assertThat(runsc("exec", "app", "/bin/cat", "/pause-marker").status()).isNotZero();
        assertThat(runsc("exec", "pause", "/bin/cat", "/app-marker").status()).isNotZero();
        assertThat(runsc("exec", "pause", "/bin/sh", "-c", "cd /..; cat pause-marker").out()).isEqualTo("pause\n");

        // Killing the app's first process ends it and its waiter; the pod goes on.
        assertThat(runsc("kill", "app", "9").status()).as(lastError()).isZero();
        assertThat(within(30, () -> !alive(waiter))).isTrue();
        assertThat(status("app")).isEqualTo("stopped");
        assertThat(runsc("wait", "app").out().strip()).isEqualTo("{\"id\":\"app\",\"exitStatus\":137}");
        assertThat(runsc("delete", "app").status()).as(lastError()).isZero();
        assertThat(status("pause")).isEqualTo("running");

        // Deleting the pod's sandbox container ends the Sentry.
        assertThat(runsc("delete", "--force", "pause").status()).as(lastError()).isZero();
        assertThat(within(30, () -> !alive(sentry))).isTrue();
        try (var left = Files.list(work.resolve("root"))) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void aPodContainerWhoseSandboxIsNotJvisorsBootsItsOwnSentry() throws Exception {
        Path app = podBundle("alone", "alone-marker", "\"io.kubernetes.cri.container-type\":\"container\","
                + "\"io.kubernetes.cri.sandbox-id\":\"somebody-elses\"", "echo alone sees $(ls / | grep marker)");
        bundle = app;
        Path out = work.resolve("alone.out");
        long boot = create(app, "alone", out);
        assertThat(runsc("start", "alone").status()).as(lastError()).isZero();
        assertThat(runsc("wait", "alone").out().strip()).isEqualTo("{\"id\":\"alone\",\"exitStatus\":0}");
        assertThat(read(out)).isEqualTo("alone sees alone-marker\n");
        assertThat(within(30, () -> !alive(boot))).isTrue();
    }

    // ---------------------------------------------------------------- cgroup: limits, update, events

    @Test
    void theSandboxRunsInItsCgroupWithItsLimitsWhichUpdateChangesAndEventsReports() throws Exception {
        Path memory = Path.of("/sys/fs/cgroup/memory"), pids = Path.of("/sys/fs/cgroup/pids");
        assumeTrue(Files.isWritable(memory) && Files.isWritable(pids), "needs writable cgroup v1 memory and pids hierarchies");
        String name = "jvisor-it-" + ProcessHandle.current().pid();
        bundle = Files.createDirectories(work.resolve("bundle"));
        Files.createSymbolicLink(bundle.resolve("rootfs"), ROOTFS);
        Files.writeString(bundle.resolve("config.json"), """
                {"ociVersion":"1.0.2",
                 "process":{"user":{"uid":0,"gid":0},"args":["/bin/sh","-c","while :; do sleep 1; done"],"env":["PATH=/bin"],"cwd":"/"},
                 "root":{"path":"rootfs"},
                 "linux":{"cgroupsPath":"/%s/c","resources":{"memory":{"limit":1073741824},"pids":{"limit":200},"cpu":{"shares":256}}}}"""
                .formatted(name));
        long boot = run("cg", work.resolve("cg.out"));
        try {
            Path mem = memory.resolve(name + "/c"), pid = pids.resolve(name + "/c");
            assertThat(Files.readString(mem.resolve("memory.limit_in_bytes")).strip()).isEqualTo("1073741824");
            assertThat(Files.readString(pid.resolve("pids.max")).strip()).isEqualTo("200");
            assertThat(Files.readAllLines(pid.resolve("cgroup.procs"))).contains(Long.toString(boot));
            // The stubs inherit it: pid 1's (the loop's sleeps come and go, so only the shell's is checked).
            List<Long> hostPidsNow = ps("cg");
            assertThat(hostPidsNow.getFirst()).isEqualTo(boot);
            assertThat(Files.readAllLines(pid.resolve("cgroup.procs"))).contains(Long.toString(hostPidsNow.get(1)));

            var update = DistributionIT.exec(bundle, Map.of(), withStdin("{\"pids\":{\"limit\":100},\"memory\":{\"limit\":536870912}}",
                    runscCommand("update", "--resources", "-", "cg")));
            assertThat(update.status()).as(update.err() + lastError()).isZero();
            assertThat(Files.readString(pid.resolve("pids.max")).strip()).isEqualTo("100");
            assertThat(Files.readString(mem.resolve("memory.limit_in_bytes")).strip()).isEqualTo("536870912");
            var bad = DistributionIT.exec(bundle, Map.of(), withStdin("{\"pids\":", runscCommand("update", "--resources", "-", "cg")));
            assertThat(bad.status()).isNotZero();
            assertThat(lastError()).contains("--resources: not valid JSON");
            assertThat(Files.readString(pid.resolve("pids.max")).strip()).isEqualTo("100");

            var events = runsc("events", "--stats", "cg");
            assertThat(events.status()).as(events.err() + lastError()).isZero();
            JsonObject event = (JsonObject) JsonParser.parse(events.out().strip());
            assertThat(((JsonString) event.get("type")).value()).isEqualTo("stats");
            JsonObject data = (JsonObject) event.get("data");
            long current = ((JsonNumber) ((JsonObject) data.get("pids")).get("current")).longValueExact().getAsLong();
            assertThat(current).isGreaterThanOrEqualTo(2);
            long usage = ((JsonNumber) ((JsonObject) ((JsonObject) data.get("memory")).get("usage")).get("usage")).longValueExact().getAsLong();
            assertThat(usage).isPositive();

            assertThat(runsc("kill", "cg", "9").status()).isZero();
            assertThat(within(30, () -> !alive(boot))).isTrue();
            assertThat(runsc("delete", "cg").status()).as(lastError()).isZero();
            assertThat(mem).doesNotExist();
            assertThat(pid).doesNotExist();
        } finally {
            runsc("delete", "--force", "cg");
            for (Path root : List.of(memory, pids, Path.of("/sys/fs/cgroup/cpu"), Path.of("/sys/fs/cgroup/cpuacct"), Path.of("/sys/fs/cgroup/cpu,cpuacct"))) {
                within(10, () -> {
                    try {
                        Files.deleteIfExists(root.resolve(name + "/c"));
                        Files.deleteIfExists(root.resolve(name));
                        return true;
                    } catch (IOException busy) {
                        return false;
                    }
                });
            }
        }
    }

    /** {@code command} run through sh with {@code input} on its stdin. */
    private static String[] withStdin(String input, List<String> command) {
        StringBuilder sh = new StringBuilder("printf '%s' \"$0\" | \"$@\"");
        List<String> out = new ArrayList<>(List.of("/bin/sh", "-c", sh.toString(), input));
        out.addAll(command);
        return out.toArray(String[]::new);
    }

    /** Sends one frame with this process's stdin, stdout and stderr as SCM_RIGHTS (python3) and returns the answer. */
    private String withStdioFds(Path socket, String json) throws Exception {
        String client = """
                import socket, struct, sys
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(sys.argv[1])
                body = sys.argv[2].encode()
                socket.send_fds(s, [struct.pack('>I', len(body)) + body], [0, 1, 2])
                n = struct.unpack('>I', s.recv(4))[0]
                print(s.recv(n).decode())
                """;
        var r = DistributionIT.exec(work, Map.of(), "/usr/bin/python3", "-c", client, socket.toString(), json);
        assertThat(r.status()).as(r.err()).isZero();
        return r.out();
    }

    // ---------------------------------------------------------------- the socket under attack

    private static byte[] frame(String json) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + b.length).putInt(b.length).put(b).array();
    }

    /** Sends raw bytes and returns the answer frame's JSON ("" if the server just hung up). */
    private String raw(Path socket, byte[] bytes) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ch.write(ByteBuffer.wrap(bytes));
            ByteBuffer header = ByteBuffer.allocate(4);
            while (header.hasRemaining()) if (ch.read(header) < 0) return "";
            int len = header.flip().getInt();
            assertThat(len).isBetween(1, 1 << 20);
            ByteBuffer body = ByteBuffer.allocate(len);
            while (body.hasRemaining()) if (ch.read(body) < 0) break;
            return new String(body.array(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void badInputOnTheControlSocketGetsTypedErrorsAndNeverWedgesTheSentry() throws Exception {
        bundle("exec sleep 100000"); // one task throughout: the Sentry's fd and thread counts hold still
        long boot = run("b", work.resolve("b.out"));
        Path socket = work.resolve("root/b/control.sock");
        assertThat(socket).exists();
        assertThat(raw(socket, frame("{\"v\":1,\"op\":\"ps\",\"container\":\"b\"}"))).contains("\"ok\"");
        long fdsBefore = openFds(boot), threadsBefore = threads(boot);

        assertThat(raw(socket, "garbage that is not a frame\n".getBytes(StandardCharsets.US_ASCII))).contains("\"BAD_FRAME\"");
        assertThat(raw(socket, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff})).contains("\"BAD_FRAME\"");
        assertThat(raw(socket, new byte[] {0x7f, 0, 0, 0, '{'})).contains("\"BAD_FRAME\"");
        assertThat(raw(socket, frame("[1,2,3]"))).contains("\"BAD_FRAME\"");
        assertThat(raw(socket, frame("{\"v\":2,\"op\":\"ps\",\"container\":\"b\"}"))).contains("\"UNSUPPORTED_VERSION\"");
        assertThat(raw(socket, frame("{\"v\":1,\"op\":\"reboot\",\"container\":\"b\"}"))).contains("\"UNKNOWN_OP\"");
        assertThat(raw(socket, frame("{\"v\":1,\"op\":\"ps\",\"container\":\"b\",\"extra\":1}"))).contains("\"BAD_REQUEST\"");
        assertThat(raw(socket, frame("{\"v\":1,\"op\":\"signal\",\"container\":\"b\",\"signal\":65}"))).contains("\"BAD_REQUEST\"");
        assertThat(raw(socket, frame("{\"v\":1,\"op\":\"ps\",\"container\":\"nope\"}"))).contains("\"NO_SUCH_CONTAINER\"");
        assertThat(raw(socket, frame("{\"v\":1,\"op\":\"state\",\"container\":\"b\"}"))).contains("\"running\":true").contains("\"paused\":false");
        assertThat(raw(socket, frame("{\"v\":1,\"op\":\"start\",\"container\":\"b\"}"))).contains("\"WRONG_STATE\"");
        assertThat(raw(socket, frame("{\"v\":1,\"op\":\"delete\",\"container\":\"b\"}"))).contains("\"WRONG_STATE\"");
        // exec without its three fds.
        assertThat(raw(socket, frame("{\"v\":1,\"op\":\"exec\",\"container\":\"b\",\"argv\":[\"/bin/true\"]}"))).contains("\"BAD_REQUEST\"");
        // A peer that connects and says nothing is dropped, and holds up nobody meanwhile.
        try (SocketChannel idle = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            assertThat(raw(socket, frame("{\"v\":1,\"op\":\"ps\",\"container\":\"b\"}"))).contains("\"ok\"");
            assertThat(idle.read(ByteBuffer.allocate(1))).as("dropped after the request timeout").isEqualTo(-1);
        }
        // A frame cut short.
        try (SocketChannel cut = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            cut.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 50, '{'}));
        }
        assertThat(runsc("exec", "b", "/bin/sh", "-c", "exit 5").status()).isEqualTo(5);
        assertThat(status("b")).isEqualTo("running");
        // Nothing of all that stays in the Sentry: no fd, no thread. (At most as many as before:
        // the baseline may have caught a connection or worker of the Sentry's own on its way out.)
        assertThat(within(15, () -> openFds(boot) <= fdsBefore && threads(boot) <= threadsBefore))
                .as("fds %d→%d, threads %d→%d", fdsBefore, openFds(boot), threadsBefore, threads(boot)).isTrue();
    }

    private static long openFds(long pid) {
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.count();
        } catch (IOException e) {
            return -1;
        }
    }

    private static long threads(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("Threads:"))
                    .mapToLong(l -> Long.parseLong(l.substring(8).strip())).findFirst().orElse(-1);
        } catch (IOException e) {
            return -1;
        }
    }

    @Test
    void aPeerThatIsNeitherRootNorTheSandboxUserIsRefused() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) && Files.isExecutable(Path.of("/usr/bin/python3")), "setpriv and python3 needed");
        assumeTrue("0".equals(String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))), "needs root to switch users");
        bundle("while :; do sleep 1; done");
        run("u", work.resolve("u.out"));
        Path socket = work.resolve("root/u/control.sock");
        // Open the way through the file system, so that only the peer check stands.
        for (Path p = socket.getParent(); p != null && !p.equals(Path.of("/")); p = p.getParent()) {
            new ProcessBuilder("chmod", "o+x", p.toString()).start().waitFor();
        }
        new ProcessBuilder("chmod", "0666", socket.toString()).start().waitFor();
        String client = """
                import socket, struct, sys
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(sys.argv[1])
                body = b'{"v":1,"op":"ps","container":"u"}'
                try:
                    s.sendall(struct.pack('>I', len(body)) + body)
                except BrokenPipeError:
                    pass  # refused before the request was read: the answer is already here
                n = struct.unpack('>I', s.recv(4))[0]
                print(s.recv(n).decode())
                """;
        var r = DistributionIT.exec(work, Map.of(), "/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "/usr/bin/python3", "-c", client, socket.toString());
        assertThat(r.out()).as(r.err()).contains("\"NOT_PERMITTED\"");
        assertThat(runsc("exec", "u", "/bin/true").status()).isZero();
    }
}
