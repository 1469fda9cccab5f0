package dev.jvisor.kindtests.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * jVisor's runsc behind containerd's stock runc shim, driven by ctr as a node would: output,
 * exit statuses (7 stays 7, SIGKILL gives 137), detached tasks, ps, exec (its exit code
 * returned), pause and resume, kill, forced removal, a pod's container joining its sandbox's
 * Sentry; and
 * after every test nothing of the container is left: no process, no mount, no runsc state, no
 * shim socket.
 */
class RuncShimLifecycleTest {
    /** The distribution runtime-sentry builds (this module runs after it in the reactor). */
    static final Path RUNSC = Path.of("..", "runtime-sentry", "target", "jvisor-runtime", "bin", "runsc").toAbsolutePath().normalize();

    private static PrivateContainerd containerd;
    private static NodeTraces traces;
    private final List<String> ids = new ArrayList<>();

    @BeforeAll
    static void startContainerdAndImportBusybox() throws Exception {
        assumeTrue(Files.isExecutable(RUNSC), "skipped: no runsc distribution at " + RUNSC + " (build runtime-sentry first)");
        assumeTrue(Commands.onPath("containerd") && Commands.onPath("ctr") && Commands.onPath(PrivateContainerd.SHIM_BINARY),
                "skipped: containerd, ctr or " + PrivateContainerd.SHIM_BINARY + " not installed (apt-get install containerd)");
        assumeTrue(Files.isExecutable(BusyboxImage.BUSYBOX), "skipped: no /bin/busybox (apt-get install busybox-static)");
        assumeTrue("root".equals(System.getProperty("user.name")), "skipped: a private containerd needs root");
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "jvn");
        containerd = PrivateContainerd.start(dir);
        traces = NodeTraces.ofCtrTasks(containerd, RUNSC.getParent().getParent());
        Path image = BusyboxImage.build(Files.createDirectories(dir.resolve("image")));
        containerd.ctr("images", "import", image.toString()).requireSuccess(List.of("ctr images import"));
    }

    @AfterAll
    static void stopContainerd() throws Exception {
        if (containerd != null) containerd.close();
        if (traces != null) assertThat(traces.removeCgroupParent()).as("the tests' cgroup parent, left on the host").isEmpty();
    }

    /** A fresh container id, remembered for the leftover checks. */
    private String id(String name) {
        String id = name + "-" + ProcessHandle.current().pid() + "-" + ids.size();
        ids.add(id);
        return id;
    }

    private List<String> run(String id, boolean detach, String... command) {
        List<String> args = new ArrayList<>(List.of("run"));
        args.add(detach ? "-d" : "--rm");
        args.addAll(containerd.runtimeFlags(RUNSC));
        args.add(BusyboxImage.NAME);
        args.add(id);
        args.addAll(List.of(command));
        return args;
    }

    @AfterEach
    void nothingIsLeftBehind() throws Exception {
        for (String id : ids) {
            containerd.ctr("task", "rm", "-f", id);
            containerd.ctr("containers", "rm", id);
        }
        assertThat(traces.settled(ids)).as("left on the host after the test").isEmpty();
    }

    @Test
    void echoPrintsHello() throws Exception {
        var r = containerd.ctr(run(id("echo"), false, "echo", "hello").toArray(String[]::new));
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("hello\n");
    }

    @Test
    void stdinIsPipedToTheContainer() throws Exception {
        // ctr run hands its own stdin to the task unless told --null-io, but ctr 1.6 never closes
        // it at end of input (runc's tasks wait for EOF forever too), so the program reads a
        // known number of lines instead of to the end.
        Path input = Files.writeString(containerd.dir().resolve("stdin.txt"), "line one\nline two\n");
        List<String> args = run(id("stdin"), false, "sh", "-c", "read a; read b; echo \"$b / $a\" | tr a-z A-Z; exit 3");
        var r = Commands.run(containerd.dir(), java.time.Duration.ofSeconds(120), containerd.ctrCommand(args), input);
        assertThat(r.status()).as(r.err()).isEqualTo(3);
        assertThat(r.out()).isEqualTo("LINE TWO / LINE ONE\n");
    }

    @Test
    void exitStatusesArePreserved() throws Exception {
        assertThat(containerd.ctr(run(id("seven"), false, "sh", "-c", "exit 7").toArray(String[]::new)).status()).isEqualTo(7);
        var r = containerd.ctr(run(id("false"), false, "false").toArray(String[]::new));
        assertThat(r.status()).isEqualTo(1);
    }

    @Test
    void sigkillOfAForegroundTaskGives137() throws Exception {
        String id = id("fg");
        Path out = containerd.dir().resolve(id + ".out");
        Process fg = new ProcessBuilder(containerd.ctrCommand(run(id, false, "sleep", "600")))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            awaitTaskStatus(id, "RUNNING");
            containerd.ctr("task", "kill", "-s", "9", id).requireSuccess(List.of("ctr task kill"));
            assertThat(fg.waitFor(60, TimeUnit.SECONDS)).as("ctr run returns once the task is killed").isTrue();
            assertThat(fg.exitValue()).as(Files.readString(out)).isEqualTo(137);
        } finally {
            fg.destroyForcibly().waitFor();
        }
    }

    @Test
    void detachedTaskHasPsAndDiesOfSigkillWith137() throws Exception {
        String id = id("detached");
        containerd.ctr(run(id, true, "sleep", "600").toArray(String[]::new)).requireSuccess(List.of("ctr run -d"));
        String taskPid = awaitTaskStatus(id, "RUNNING");
        var ps = containerd.ctr("task", "ps", id).requireSuccess(List.of("ctr task ps"));
        assertThat(ps.out()).contains(taskPid);
        // The leftover check sees a live container's every trace, so its empty answer later means something.
        // The task's pid is the sandbox's namespace launcher; its one child is the Sentry.
        String sentry = ProcessHandle.of(Long.parseLong(taskPid)).flatMap(h -> h.children().findFirst())
                .map(h -> Long.toString(h.pid())).orElse("none");
        assertThat(traces.of(ids)).anyMatch(s -> s.startsWith("shim process")).anyMatch(s -> s.equals("sandbox process " + sentry))
                .anyMatch(s -> s.startsWith("shim socket")).anyMatch(s -> s.startsWith("runsc state") && s.endsWith(id));

        containerd.ctr("task", "kill", "-s", "9", id).requireSuccess(List.of("ctr task kill"));
        awaitTaskStatus(id, "STOPPED");
        var rm = containerd.ctr("task", "rm", id);
        assertThat(rm.status()).as(rm.err()).isZero();
        assertThat(rm.err()).contains("exit code 137");
        assertThat(containerd.ctr("containers", "rm", id).status()).isZero();
    }

    @Test
    void forcedRemovalOfARunningTask() throws Exception {
        String id = id("forced");
        containerd.ctr(run(id, true, "sleep", "600").toArray(String[]::new)).requireSuccess(List.of("ctr run -d"));
        awaitTaskStatus(id, "RUNNING");
        var rm = containerd.ctr("task", "rm", "-f", id);
        assertThat(rm.status()).as(rm.err()).isZero();
        assertThat(containerd.ctr("task", "ls", "-q").out()).doesNotContain(id);
        assertThat(containerd.ctr("containers", "rm", id).status()).isZero();
    }

    @Test
    void execReturnsItsExitCodeAndOutput() throws Exception {
        String id = id("exec");
        containerd.ctr(run(id, true, "sleep", "600").toArray(String[]::new)).requireSuccess(List.of("ctr run -d"));
        awaitTaskStatus(id, "RUNNING");
        var exec = containerd.ctr("task", "exec", "--exec-id", "e1", id, "sh", "-c", "echo exec in $(hostname); exit 5");
        assertThat(exec.status()).as(exec.err()).isEqualTo(5);
        assertThat(exec.out()).startsWith("exec in ");
        var ok = containerd.ctr("task", "exec", "--exec-id", "e2", id, "true");
        assertThat(ok.status()).as(ok.err()).isZero();
        var missing = containerd.ctr("task", "exec", "--exec-id", "e3", id, "/no/such/program");
        assertThat(missing.status()).isNotZero();
        // A detached exec is still running when the task is removed by force: nothing of it stays.
        Process longExec = new ProcessBuilder(containerd.ctrCommand(List.of("task", "exec", "--exec-id", "e4", id, "sleep", "600")))
                .redirectErrorStream(true).redirectOutput(containerd.dir().resolve(id + ".exec.out").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (containerd.ctr("task", "ps", id).out().lines().count() < 4 && System.nanoTime() < deadline) Thread.sleep(100);
            var rm = containerd.ctr("task", "rm", "-f", id);
            assertThat(rm.status()).as(rm.err()).isZero();
            assertThat(longExec.waitFor(60, TimeUnit.SECONDS)).as("the exec ends with its task").isTrue();
        } finally {
            longExec.destroyForcibly().waitFor();
        }
    }

    @Test
    void pauseAndResume() throws Exception {
        String id = id("pause");
        containerd.ctr(run(id, true, "sleep", "600").toArray(String[]::new)).requireSuccess(List.of("ctr run -d"));
        awaitTaskStatus(id, "RUNNING");
        containerd.ctr("task", "pause", id).requireSuccess(List.of("ctr task pause"));
        awaitTaskStatus(id, "PAUSED");
        containerd.ctr("task", "resume", id).requireSuccess(List.of("ctr task resume"));
        awaitTaskStatus(id, "RUNNING");
        var exec = containerd.ctr("task", "exec", "--exec-id", "after", id, "sh", "-c", "exit 9");
        assertThat(exec.status()).as(exec.err()).isEqualTo(9);
        containerd.ctr("task", "kill", "-s", "9", id).requireSuccess(List.of("ctr task kill"));
        awaitTaskStatus(id, "STOPPED");
    }

    @Test
    void aPodsContainerJoinsItsSandboxsSentry() throws Exception {
        String pause = id("pod");
        String app = id("app");
        List<String> pauseArgs = new ArrayList<>(run(pause, true, "sleep", "600"));
        pauseArgs.addAll(1, List.of("--annotation", "io.kubernetes.cri.container-type=sandbox"));
        containerd.ctr(pauseArgs.toArray(String[]::new)).requireSuccess(List.of("ctr run -d (pod sandbox)"));
        String sentry = awaitTaskStatus(pause, "RUNNING");
        List<String> appArgs = new ArrayList<>(run(app, true, "sh", "-c", "while :; do sleep 1; done"));
        appArgs.addAll(1, List.of("--annotation", "io.kubernetes.cri.container-type=container",
                "--annotation", "io.kubernetes.cri.sandbox-id=" + pause));
        containerd.ctr(appArgs.toArray(String[]::new)).requireSuccess(List.of("ctr run -d (pod container)"));
        String waiter = awaitTaskStatus(app, "RUNNING");
        assertThat(waiter).isNotEqualTo(sentry);

        // One Sentry: the app's stub processes descend from the pod sandbox's boot process (the
        // namespace launcher, whose child is the Sentry), and ps names them by host pid.
        List<String> appPids = containerd.ctr("task", "ps", app).requireSuccess(List.of("ctr task ps")).out().lines()
                .skip(1).map(l -> l.trim().split("\\s+")[0]).toList();
        assertThat(appPids).contains(waiter);
        List<String> podProcesses = ProcessHandle.of(Long.parseLong(sentry)).orElseThrow().descendants()
                .map(h -> Long.toString(h.pid())).toList();
        assertThat(appPids.stream().filter(p -> !p.equals(waiter))).isNotEmpty().allMatch(podProcesses::contains);
        var exec = containerd.ctr("task", "exec", "--exec-id", "in-app", app, "sh", "-c", "exit 4");
        assertThat(exec.status()).as(exec.err()).isEqualTo(4);

        containerd.ctr("task", "kill", "-s", "9", app).requireSuccess(List.of("ctr task kill (pod container)"));
        awaitTaskStatus(app, "STOPPED");
        var rm = containerd.ctr("task", "rm", app);
        assertThat(rm.status()).as(rm.err()).isZero();
        assertThat(rm.err()).contains("exit code 137");
        assertThat(containerd.ctr("task", "ls").out()).contains(pause);
        awaitTaskStatus(pause, "RUNNING");
        var rmPod = containerd.ctr("task", "rm", "-f", pause);
        assertThat(rmPod.status()).as(rmPod.err()).isZero();
    }

    /** Polls {@code ctr task ls} until the task shows {@code status}; returns its pid. */
    private String awaitTaskStatus(String id, String status) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            for (String line : containerd.ctr("task", "ls").out().lines().toList()) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 3 && f[0].equals(id) && f[2].equals(status)) return f[1];
            }
            Thread.sleep(100);
        }
        throw new AssertionError("task " + id + " never reached " + status + ": " + containerd.ctr("task", "ls").out());
    }
}
