package dev.jvisor.runsc;

import static org.assertj.core.api.Assertions.assertThat;

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
 * {@code runsc create --console-socket}: the master of a new pty reaches the listener as runc's
 * protocol has it (one message, one descriptor, named /dev/ptmx), sized by
 * {@code process.consoleSize}, and the container's shell talks through it: it is on a terminal
 * (/dev/pts/0 inside), its input is echoed and line-edited by the Sentry, and its exit status
 * still reaches {@code runsc wait}. The listener is a python3 stand-in for containerd's shim.
 */
class ConsoleSocketTest {
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

    private Path bundle(String process) throws Exception {
        Path bundle = Files.createDirectories(work.resolve("bundle"));
        Files.createSymbolicLink(bundle.resolve("rootfs"), rootfs);
        Files.writeString(bundle.resolve("config.json"), """
                {"ociVersion":"1.0.2","process":%s,"root":{"path":"rootfs"}}""".formatted(process));
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

    @Test
    void theShellTalksThroughTheMasterThatCreateSendsToTheConsoleSocket() throws Exception {
        Path bundle = bundle("""
                {"terminal":true,"consoleSize":{"height":33,"width":101},"user":{"uid":0,"gid":0},
                 "args":["/bin/sh","-c","tty; stty size; echo ready; read x; echo \\"got [$x]\\"; exit 3"],
                 "env":["PATH=/bin"],"cwd":"/"}""");
        Path socket = work.resolve("console.sock");
        Process shim = receiver(socket, "ready\r\n", "helo\u007flo\r");

        var create = runsc("create", "--bundle", bundle.toString(), "--console-socket", socket.toString(),
                "--pid-file", bundle.resolve("init.pid").toString(), "tty1");
        assertThat(create.status()).as(Files.exists(home.resolve("log.json")) ? Files.readString(home.resolve("log.json")) : "").isZero();
        assertThat(runsc("start", "tty1").status()).isZero();
        assertThat(runsc("wait", "tty1").out().strip()).isEqualTo("{\"id\":\"tty1\",\"exitStatus\":3}");

        assertThat(shim.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String report = new String(shim.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(report).contains("name=/dev/ptmx fds=1 truncated=0");
        // The echo of the typed line (with its erase) comes before the shell's answer, all with CR NL.
        assertThat(report).contains("screen='/dev/pts/0\\r\\n33 101\\r\\nready\\r\\nhelo\\x08 \\x08lo\\r\\ngot [hello]\\r\\n'");
        assertThat(runsc("delete", "tty1").status()).isZero();
    }

    @Test
    void aConsoleSocketNobodyListensOnFailsCreateAndLeavesNothing() throws Exception {
        Path bundle = bundle("""
                {"terminal":true,"user":{"uid":0,"gid":0},"args":["/bin/true"],"cwd":"/"}""");
        var r = runsc("create", "--bundle", bundle.toString(), "--console-socket", work.resolve("nobody.sock").toString(),
                "--pid-file", bundle.resolve("init.pid").toString(), "tty2");
        assertThat(r.status()).isNotZero();
        assertThat(Files.readAllLines(home.resolve("log.json")).getLast()).contains("--console-socket").contains("ENOENT");
        assertThat(new StateStore(root).ids()).isEmpty();
        assertThat(bundle.resolve("init.pid")).doesNotExist();
    }

    @Test
    void aTerminalNeedsAConsoleSocketAndASocketNeedsATerminal() throws Exception {
        Path bundle = bundle("""
                {"terminal":true,"user":{"uid":0,"gid":0},"args":["/bin/true"],"cwd":"/"}""");
        var r = runsc("create", "--bundle", bundle.toString(), "tty3");
        assertThat(r.status()).isNotZero();
        assertThat(Files.readAllLines(home.resolve("log.json")).getLast()).contains("process.terminal").contains("--console-socket");

        Files.writeString(bundle.resolve("config.json"), Files.readString(bundle.resolve("config.json")).replace("\"terminal\":true", "\"terminal\":false"));
        r = runsc("create", "--bundle", bundle.toString(), "--console-socket", work.resolve("x.sock").toString(), "tty3");
        assertThat(r.status()).isNotZero();
        assertThat(Files.readAllLines(home.resolve("log.json")).getLast()).contains("--console-socket").contains("terminal is not set");
        assertThat(new StateStore(root).ids()).isEmpty();
    }
}
