package dev.jvisor.runsc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.oci.json.JsonArray;
import dev.jvisor.oci.json.JsonNumber;
import dev.jvisor.oci.json.JsonParser;
import dev.jvisor.runsc.control.SandboxAddress;
import dev.jvisor.runsc.state.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A pod's app container with {@code process.terminal} joins the pod's sandbox, as CRI creates it
 * (a sandbox container, then a container naming it by {@code io.kubernetes.cri.sandbox-id}):
 * one boot process for both, the app's pty master on its console socket, its program on a
 * terminal of its own in the pod's Sentry, and its own waiter pid and exit status.
 */
class PodTerminalJoinTest {
    @RegisterExtension final TerminalFixture t = new TerminalFixture();

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

    /** The pod's sandbox container "pause", created and started as CRI does; returns its boot pid. */
    private long startPodSandbox() throws Exception {
        Path pause = t.bundle("pause", """
                {"user":{"uid":0,"gid":0},"args":["/bin/sh","-c","while :; do sleep 1; done"],"env":["PATH=/bin"],"cwd":"/"}""",
                "\"io.kubernetes.cri.container-type\":\"sandbox\"");
        assertThat(t.runsc("create", "--bundle", pause.toString(), "--pid-file", pause.resolve("init.pid").toString(), "pause").status())
                .as(t.log()).isZero();
        long sentry = pid(pause.resolve("init.pid"));
        assertThat(t.runsc("start", "pause").status()).as(t.log()).isZero();
        return sentry;
    }

    @Test
    void aTerminalContainerJoinsItsPodsSandbox() throws Exception {
        long sentry = startPodSandbox();

        Path app = t.bundle("app", """
                {"terminal":true,"consoleSize":{"height":25,"width":90},"user":{"uid":0,"gid":0},
                 "args":["/bin/sh","-c","tty; stty size; echo ready; read x; echo \\"got [$x]\\"; exit 3"],
                 "env":["PATH=/bin"],"cwd":"/"}""",
                "\"io.kubernetes.cri.container-type\":\"container\",\"io.kubernetes.cri.sandbox-id\":\"pause\"");
        Path socket = t.work().resolve("console.sock");
        // The app stays blocked in its `read` until the test is done looking at its processes.
        Process shim = t.consoleReceiverHoldingKeys(socket, "ready\r\n", "hi\r", 90);
        var create = t.runsc("create", "--bundle", app.toString(), "--console-socket", socket.toString(),
                "--pid-file", app.resolve("init.pid").toString(), "app");
        assertThat(create.status()).as(t.log()).isZero();
        long waiter = pid(app.resolve("init.pid"));
        // Joined, not booted: the app's pid is a waiter, and its sandbox is the pod's.
        assertThat(waiter).isNotEqualTo(sentry);
        assertThat(SandboxAddress.of(t.root(), "app").joined()).isTrue();
        assertThat(ProcessHandle.of(waiter).map(ProcessHandle::info).flatMap(ProcessHandle.Info::arguments).map(List::of).orElse(List.of()))
                .doesNotContain("boot");

        assertThat(t.runsc("start", "app").status()).as(t.log()).isZero();
        // At its prompt the app's shell sits in `read` (its `tty` and `stty` children are reaped),
        // so what ps lists is alive while the Sentry's descendants are read.
        TerminalFixture.awaitPrompt(shim, socket);
        // One Sentry: the app's stubs descend from the pod's boot process (the namespace launcher,
        // whose child is the Sentry).
        var ps = t.runsc("ps", "--format", "json", "app");
        List<Long> pids = ((JsonArray) JsonParser.parse(ps.out())).elements().stream()
                .map(v -> ((JsonNumber) v).longValueExact().getAsLong()).toList();
        assertThat(pids.getFirst()).isEqualTo(waiter);
        List<Long> pod = ProcessHandle.of(sentry).orElseThrow().descendants().map(ProcessHandle::pid).toList();
        assertThat(pids.subList(1, pids.size())).isNotEmpty().allMatch(pod::contains);
        TerminalFixture.typeHeldKeys(shim);

        assertThat(t.runsc("wait", "app").out().strip()).isEqualTo("{\"id\":\"app\",\"exitStatus\":3}");
        String report = TerminalFixture.report(shim, 60);
        assertThat(report).contains("name=/dev/ptmx fds=1 truncated=0");
        // A terminal of its own in the pod's Sentry (pts 0 may be nobody's: the pause container has none).
        assertThat(report).containsPattern("screen='/dev/pts/[0-9]+\\\\r\\\\n25 90\\\\r\\\\nready\\\\r\\\\nhi\\\\r\\\\ngot \\[hi\\]\\\\r\\\\n'");
        // Its waiter, the pid the shim waits on, ends with it.
        assertThat(ended(waiter)).isTrue();
        // The pod goes on without it.
        assertThat(t.runsc("delete", "app").status()).as(t.log()).isZero();
        assertThat(ProcessHandle.of(sentry).map(ProcessHandle::isAlive)).contains(true);
        assertThat(t.runsc("delete", "--force", "pause").status()).as(t.log()).isZero();
        assertThat(new StateStore(t.root()).ids()).isEmpty();
    }

    @Test
    void aTerminalContainerWhoseConsoleSocketIsGoneFailsCreateAndThePodGoesOn() throws Exception {
        startPodSandbox();
        Path app = t.bundle("app", """
                {"terminal":true,"user":{"uid":0,"gid":0},"args":["/bin/true"],"env":["PATH=/bin"],"cwd":"/"}""",
                "\"io.kubernetes.cri.container-type\":\"container\",\"io.kubernetes.cri.sandbox-id\":\"pause\"");
        var create = t.runsc("create", "--bundle", app.toString(), "--console-socket", t.work().resolve("nobody.sock").toString(),
                "--pid-file", app.resolve("init.pid").toString(), "app");
        assertThat(create.status()).isNotZero();
        assertThat(app.resolve("init.pid")).doesNotExist();
        assertThat(new StateStore(t.root()).ids()).containsExactly("pause");
        // The pod's Sentry never heard of it: a container of that name can still be created there.
        var ps = t.runsc("exec", "pause", "/bin/true");
        assertThat(ps.status()).as(t.log()).isZero();
    }
}
