package dev.jvisor.runsc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.runsc.control.ControlProtocol;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code runsc exec --console-socket S --process P --detach --pid-file F ID}, as containerd's
 * shim runs it for {@code ctr task exec -t} and CRI exec with a tty: the exec'd process gets a
 * terminal of its own (/dev/pts/N next to the container's /dev/pts/0) whose master reaches S,
 * sized by {@code consoleSize}; exec's output pipe ends when exec does (the waiter keeps none
 * of it); the waiter exits with the process's status; and the terminal is gone afterwards.
 * exec runs as its own process under a python3 stand-in for the shim (a child subreaper).
 */
class ExecTerminalTest {
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
        return new RunscRunner(home).run(globalFlags(args).toArray(String[]::new));
    }

    private List<String> globalFlags(String... args) {
        List<String> all = new ArrayList<>(List.of("--root", root.toString(), "--log", home.resolve("log.json").toString(),
                "--log-format", "json"));
        all.addAll(List.of(args));
        return all;
    }

    private String log() throws Exception {
        return Files.exists(home.resolve("log.json")) ? Files.readString(home.resolve("log.json")) : "";
    }

    private Path script(String name) throws Exception {
        Path script = work.resolve(name);
        try (InputStream in = getClass().getResourceAsStream("/console/" + name)) {
            Files.write(script, in.readAllBytes());
        }
        return script;
    }

    private Process helper(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        helpers.add(p);
        return p;
    }

    private static void awaitSocket(Process listener, Path socket) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(socket)) {
            assertThat(listener.isAlive()).as("the console socket's listener runs").isTrue();
            assertThat(System.nanoTime()).as("the console socket appears").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** A running container on a terminal of its own (its /dev/pts/0), idling. */
    private void runContainerOnATerminal(String id) throws Exception {
        Path bundle = Files.createDirectories(work.resolve("bundle"));
        Files.createSymbolicLink(bundle.resolve("rootfs"), rootfs);
        Files.writeString(bundle.resolve("config.json"), """
                {"ociVersion":"1.0.2","process":{"terminal":true,"user":{"uid":0,"gid":0},
                 "args":["/bin/sh","-c","echo up; exec sleep 1000000"],"env":["PATH=/bin"],"cwd":"/"},
                 "root":{"path":"rootfs"}}""");
        Path socket = work.resolve("create.sock");
        Process console = helper(List.of("python3", script("console_receiver.py").toString(), socket.toString(), "up", "", "120"));
        awaitSocket(console, socket);
        var create = runsc("create", "--bundle", bundle.toString(), "--console-socket", socket.toString(),
                "--pid-file", bundle.resolve("init.pid").toString(), id);
        assertThat(create.status()).as(log()).isZero();
        assertThat(runsc("start", id).status()).as(log()).isZero();
    }

    /** runsc exec -t of {@code process} as the shim runs it; returns the stand-in's report. */
    private String execOnATerminal(String id, String process) throws Exception {
        return report(startExecOnATerminal(id, process, work.resolve("exec.pid")));
    }

    private static String report(Process shim) throws Exception {
        assertThat(shim.waitFor(120, TimeUnit.SECONDS)).as("the shim stand-in finishes").isTrue();
        return new String(shim.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** Starts the shim stand-in on runsc exec -t of {@code process}, the waiter's pid to go to {@code pidFile}. */
    private Process startExecOnATerminal(String id, String process, Path pidFile) throws Exception {
        Path processJson = Files.writeString(work.resolve("process-" + System.nanoTime() + ".json"), process);
        Path socket = work.resolve("exec-" + System.nanoTime() + ".sock");
        Files.deleteIfExists(pidFile);
        List<String> command = new ArrayList<>(List.of("python3", script("exec_shim.py").toString(), socket.toString(),
                pidFile.toString(), "90"));
        command.addAll(List.of(ProcessHandle.current().info().command().orElseThrow(), "--enable-native-access=ALL-UNNAMED",
                "-Djvisor.home=" + home, "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(globalFlags("exec", "--console-socket", socket.toString(), "--process", processJson.toString(),
                "--detach", "--pid-file", pidFile.toString(), id));
        return helper(command);
    }

    private static String screen(String report) {
        Matcher m = Pattern.compile("screen='(.*)'").matcher(report);
        assertThat(m.find()).as(report).isTrue();
        return m.group(1);
    }

    @Test
    void anExecdProcessGetsItsOwnSizedTerminalAndItsWaiterExitsWithItsStatus() throws Exception {
        runContainerOnATerminal("t1");
        List<String> before = runsc("ps", "--format", "json", "t1").out().lines().toList();

        // It outlives exec (sleep): exec's output must still end when exec returns.
        String report = execOnATerminal("t1", """
                {"terminal":true,"consoleSize":{"height":40,"width":120},"user":{"uid":0,"gid":0},
                 "args":["/bin/sh","-c","tty; stty size; ls -1 /dev/pts; sleep 2; exit 3"],"env":["PATH=/bin"],"cwd":"/"}""");
        assertThat(report).as(log()).contains("name=/dev/ptmx fds=1 truncated=0");
        try (var left = Files.list(work)) {
            assertThat(left.filter(f -> f.getFileName().toString().startsWith("process-"))).as("exec deletes --process").isEmpty();
        }
        assertThat(report).contains("exec_rc=0").contains("exec_output=''");
        assertThat(report).as("the waiter holds none of exec's output pipe").contains("waiter_alive_at_output_end=True");
        assertThat(report).contains("waiter_status=3").contains("master-closed");
        assertThat(screen(report)).isEqualTo("/dev/pts/1\\r\\n40 120\\r\\n0\\r\\n1\\r\\n");

        // The terminal went with its process: the next one gets /dev/pts/1 again, and sees only it
        // and the console; a process killed by a signal gives 128+N.
        report = execOnATerminal("t1", """
                {"terminal":true,"user":{"uid":0,"gid":0},
                 "args":["/bin/sh","-c","tty; ls -1 /dev/pts; kill -9 $$"],
                 "env":["PATH=/bin"],"cwd":"/"}""");
        assertThat(report).contains("waiter_status=137").contains("master-closed");
        assertThat(screen(report)).isEqualTo("/dev/pts/1\\r\\n0\\r\\n1\\r\\n");

        assertThat(runsc("ps", "--format", "json", "t1").out().lines().toList()).as("nothing of the execs is left").isEqualTo(before);
        assertThat(runsc("state", "t1").out()).contains("\"running\"");
    }

    @Test
    void sigkillOfTheWaiterKillsTheProcessAndItsTerminalHangsUp() throws Exception {
        runContainerOnATerminal("t3");
        Path pidFile = work.resolve("killed.pid");
        Process shim = startExecOnATerminal("t3", """
                {"terminal":true,"user":{"uid":0,"gid":0},"args":["/bin/sh","-c","echo ready; exec sleep 1000"],"cwd":"/"}""", pidFile);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(pidFile) || Files.readString(pidFile).isBlank()) {
            assertThat(System.nanoTime()).as("exec writes the waiter's pid").isLessThan(deadline);
            Thread.sleep(20);
        }
        long waiter = Long.parseLong(Files.readString(pidFile).strip());
        ProcessHandle.of(waiter).ifPresent(ProcessHandle::destroyForcibly);
        // The shim stand-in only finishes when the master hangs up: the sandbox killed the process
        // and let go of its terminal.
        String report = report(shim);
        assertThat(report).as(log()).contains("master-closed").contains("waiter_status=-9");
        assertThat(screen(report)).isEqualTo("ready\\r\\n");
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (runsc("ps", "--format", "json", "t3").out().split(",").length > 2 && System.nanoTime() < deadline) Thread.sleep(50);
        assertThat(runsc("ps", "--format", "json", "t3").out().split(",")).as("boot and the container's sleep alone").hasSize(2);
    }

    @Test
    void theControlChannelRefusesATerminalThatIsNotOneAndClosesWhatItWasSent() throws Exception {
        runContainerOnATerminal("t4");
        Path socket = ControlProtocol.socketIn(SandboxAddress.of(root, "t4").stateDir());
        String report = report(helper(List.of("python3", script("control_exec_terminal.py").toString(), socket.toString(), "t4")));
        List<String> answers = report.lines().filter(l -> l.startsWith("answer=")).toList();
        assertThat(answers).as(report).hasSize(4).allMatch(a -> a.endsWith("closed=True"));
        assertThat(answers.get(0)).contains("BAD_REQUEST").contains("expected 1 fd");
        assertThat(answers.get(1)).contains("EXEC_FAILED").contains("not a terminal");
        assertThat(answers.get(2)).contains("BAD_REQUEST");
        assertThat(answers.get(3)).contains("NO_SUCH_CONTAINER");
        assertThat(runsc("state", "t4").out()).contains("\"running\"");
    }

    @Test
    void aTerminalNeedsAConsoleSocketAndASocketNeedsATerminal() throws Exception {
        runContainerOnATerminal("t2");
        Path process = Files.writeString(work.resolve("p.json"), """
                {"terminal":true,"user":{"uid":0,"gid":0},"args":["/bin/true"],"cwd":"/"}""");
        var r = runsc("exec", "--process", process.toString(), "--detach", "--pid-file", work.resolve("x.pid").toString(), "t2");
        assertThat(r.status()).isNotZero();
        assertThat(log().strip().lines().toList().getLast()).contains("process.terminal").contains("--console-socket");

        process = Files.writeString(work.resolve("p.json"), """
                {"terminal":false,"user":{"uid":0,"gid":0},"args":["/bin/true"],"cwd":"/"}""");
        r = runsc("exec", "--process", process.toString(), "--console-socket", work.resolve("x.sock").toString(), "t2");
        assertThat(r.status()).isNotZero();
        assertThat(log().strip().lines().toList().getLast()).contains("--console-socket needs process.terminal");

        // Nobody listens on the socket: exec fails cleanly and the container goes on.
        process = Files.writeString(work.resolve("p.json"), """
                {"terminal":true,"user":{"uid":0,"gid":0},"args":["/bin/true"],"cwd":"/"}""");
        r = runsc("exec", "--process", process.toString(), "--console-socket", work.resolve("nobody.sock").toString(), "t2");
        assertThat(r.status()).isNotZero();
        assertThat(log().strip().lines().toList().getLast()).contains("--console-socket").contains("ENOENT");
        assertThat(work.resolve("x.pid")).doesNotExist();
        assertThat(runsc("state", "t2").out()).contains("\"running\"");
    }
}
