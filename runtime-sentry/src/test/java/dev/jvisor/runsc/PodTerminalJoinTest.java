package dev.jvisor.runsc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.oci.json.JsonArray;
import dev.jvisor.oci.json.JsonNumber;
import dev.jvisor.oci.json.JsonParser;
import dev.jvisor.runsc.control.SandboxAddress;
import dev.jvisor.runsc.state.StateStore;
import dev.jvisor.sentry.SandboxRunner;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pod's app container with {@code process.terminal} joins the pod's sandbox, as CRI creates it
 * (a sandbox container, then a container naming it by {@code io.kubernetes.cri.sandbox-id}):
 * one boot process for both, the app's pty master on its console socket, its program on a
 * terminal of its own in the pod's Sentry, and its own waiter pid and exit status.
 */
class PodTerminalJoinTest {
    @TempDir static Path shared;
    static Path rootfs;

    @TempDir Path home;
    @TempDir Path root;
    @TempDir Path work;
    private final List<Process> helpers = new ArrayList<>();

    @BeforeAll
    static void rootfs() throws Exception {
        rootfs = SandboxRunner.busyboxRootfs(shared.resolve("rootfs"));
    }

    @AfterEach
    void nothingOutlivesATest() throws Exception {
        for (Process p : helpers) p.destroyForcibly().waitFor();
        if (Files.isDirectory(root)) {
            for (String id : new StateStore(root).ids()) runsc("delete", "--force", id);
        }
    }

    private RunscRunner.Result runsc(String... args) {
        List<String> all = new ArrayList<>(List.of("--root", root.toString(), "--log", home.resolve("log.json").toString(),
                "--log-format", "json"));
        all.addAll(List.of(args));
        return new RunscRunner(home).run(all.toArray(String[]::new));
    }

    private String log() throws Exception {
        return Files.exists(home.resolve("log.json")) ? Files.readString(home.resolve("log.json")) : "";
    }

    private Path bundle(String name, String process, String annotations) throws Exception {
        Path bundle = Files.createDirectories(work.resolve(name));
        Files.createSymbolicLink(bundle.resolve("rootfs"), rootfs);
        Files.writeString(bundle.resolve("config.json"), """
                {"ociVersion":"1.0.2","process":%s,"root":{"path":"rootfs"},"annotations":{%s}}""".formatted(process, annotations));
        return bundle;
    }

    private Process receiver(Path socket, String prompt, String keys) throws Exception {
        Path script = work.resolve("console_receiver.py");
        try (InputStream in = getClass().getResourceAsStream("/console/console_receiver.py")) {
            Files.write(script, in.readAllBytes());
        }
        Process p = new ProcessBuilder("python3", script.toString(), socket.toString(), prompt, keys, "60")
                .redirectErrorStream(true).start();
        helpers.add(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(socket)) {
            assertThat(p.isAlive()).as("the console receiver is listening").isTrue();
            assertThat(System.nanoTime()).as("the console socket appears").isLessThan(deadline);
            Thread.sleep(10);
        }
        return p;
    }

    /** Whether {@code pid} exits within 30 s (a zombie counts: this JVM, its parent, need not reap it). */
    private static boolean ended(long pid) throws InterruptedException {
        for (int i = 0; i < 1500; i++) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                if (stat.charAt(stat.lastIndexOf(')') + 2) == 'Z') return true;
            } catch (java.io.IOException gone) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    private long pid(Path pidFile) throws Exception {
        return Long.parseLong(Files.readString(pidFile).strip());
    }

    @Test
    void aTerminalContainerJoinsItsPodsSandbox() throws Exception {
        Path pause = bundle("pause", """
                {"user":{"uid":0,"gid":0},"args":["/bin/sh","-c","while :; do sleep 1; done"],"env":["PATH=/bin"],"cwd":"/"}""",
                "\"io.kubernetes.cri.container-type\":\"sandbox\"");
        assertThat(runsc("create", "--bundle", pause.toString(), "--pid-file", pause.resolve("init.pid").toString(), "pause").status())
                .as(log()).isZero();
        long sentry = pid(pause.resolve("init.pid"));
        assertThat(runsc("start", "pause").status()).as(log()).isZero();

        Path app = bundle("app", """
                {"terminal":true,"consoleSize":{"height":25,"width":90},"user":{"uid":0,"gid":0},
                 "args":["/bin/sh","-c","tty; stty size; echo ready; read x; echo \\"got [$x]\\"; exit 3"],
                 "env":["PATH=/bin"],"cwd":"/"}""",
                "\"io.kubernetes.cri.container-type\":\"container\",\"io.kubernetes.cri.sandbox-id\":\"pause\"");
        Path socket = work.resolve("console.sock");
        Process shim = receiver(socket, "ready\r\n", "hi\r");
        var create = runsc("create", "--bundle", app.toString(), "--console-socket", socket.toString(),
                "--pid-file", app.resolve("init.pid").toString(), "app");
        assertThat(create.status()).as(log()).isZero();
        long waiter = pid(app.resolve("init.pid"));
        // Joined, not booted: the app's pid is a waiter, and its sandbox is the pod's.
        assertThat(waiter).isNotEqualTo(sentry);
        assertThat(SandboxAddress.of(root, "app").joined()).isTrue();
        assertThat(ProcessHandle.of(waiter).map(ProcessHandle::info).flatMap(ProcessHandle.Info::arguments).map(List::of).orElse(List.of()))
                .doesNotContain("boot");

        assertThat(runsc("start", "app").status()).as(log()).isZero();
        // One Sentry: the app's stubs descend from the pod's boot process (the namespace launcher,
        // whose child is the Sentry).
        var ps = runsc("ps", "--format", "json", "app");
        List<Long> pids = ((JsonArray) JsonParser.parse(ps.out())).elements().stream()
                .map(v -> ((JsonNumber) v).longValueExact().getAsLong()).toList();
        assertThat(pids.getFirst()).isEqualTo(waiter);
        List<Long> pod = ProcessHandle.of(sentry).orElseThrow().descendants().map(ProcessHandle::pid).toList();
        assertThat(pids.subList(1, pids.size())).isNotEmpty().allMatch(pod::contains);

        assertThat(runsc("wait", "app").out().strip()).isEqualTo("{\"id\":\"app\",\"exitStatus\":3}");
        assertThat(shim.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String report = new String(shim.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(report).contains("name=/dev/ptmx fds=1 truncated=0");
        // A terminal of its own in the pod's Sentry (pts 0 may be nobody's: the pause container has none).
        assertThat(report).containsPattern("screen='/dev/pts/[0-9]+\\\\r\\\\n25 90\\\\r\\\\nready\\\\r\\\\nhi\\\\r\\\\ngot \\[hi\\]\\\\r\\\\n'");
        // Its waiter, the pid the shim waits on, ends with it.
        assertThat(ended(waiter)).isTrue();
        // The pod goes on without it.
        assertThat(runsc("delete", "app").status()).as(log()).isZero();
        assertThat(ProcessHandle.of(sentry).map(ProcessHandle::isAlive)).contains(true);
        assertThat(runsc("delete", "--force", "pause").status()).as(log()).isZero();
        assertThat(new StateStore(root).ids()).isEmpty();
    }

    @Test
    void aTerminalContainerWhoseConsoleSocketIsGoneFailsCreateAndThePodGoesOn() throws Exception {
        Path pause = bundle("pause", """
                {"user":{"uid":0,"gid":0},"args":["/bin/sh","-c","while :; do sleep 1; done"],"env":["PATH=/bin"],"cwd":"/"}""",
                "\"io.kubernetes.cri.container-type\":\"sandbox\"");
        assertThat(runsc("create", "--bundle", pause.toString(), "--pid-file", pause.resolve("init.pid").toString(), "pause").status())
                .as(log()).isZero();
        assertThat(runsc("start", "pause").status()).as(log()).isZero();
        Path app = bundle("app", """
                {"terminal":true,"user":{"uid":0,"gid":0},"args":["/bin/true"],"env":["PATH=/bin"],"cwd":"/"}""",
                "\"io.kubernetes.cri.container-type\":\"container\",\"io.kubernetes.cri.sandbox-id\":\"pause\"");
        var create = runsc("create", "--bundle", app.toString(), "--console-socket", work.resolve("nobody.sock").toString(),
                "--pid-file", app.resolve("init.pid").toString(), "app");
        assertThat(create.status()).isNotZero();
        assertThat(app.resolve("init.pid")).doesNotExist();
        assertThat(new StateStore(root).ids()).containsExactly("pause");
        // The pod's Sentry never heard of it: a container of that name can still be created there.
        var ps = runsc("exec", "pause", "/bin/true");
        assertThat(ps.status()).as(log()).isZero();
    }
}
