package dev.jvisor.runsc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.runsc.control.ControlProtocol;
import dev.jvisor.runsc.control.SandboxAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code runsc exec --console-socket S --process P --detach --pid-file F ID}, as containerd's
 * shim runs it for {@code ctr task exec -t} and CRI exec with a tty: the exec'd process gets a
 * terminal of its own (/dev/pts/N next to the container's /dev/pts/0) whose master reaches S,
 * sized by {@code consoleSize}; exec's output pipe ends when exec does (the waiter keeps none
 * of it); the waiter exits with the process's status; and the terminal is gone afterwards.
 * exec runs as its own process under a python3 stand-in for the shim (a child subreaper).
 */
class ExecTerminalTest {
    @RegisterExtension final TerminalFixture t = new TerminalFixture();

    /** A running container on a terminal of its own (its /dev/pts/0), idling. */
    private void runContainerOnATerminal(String id) throws Exception {
        Path bundle = t.bundle("""
                {"terminal":true,"user":{"uid":0,"gid":0},
                 "args":["/bin/sh","-c","echo up; exec sleep 1000000"],"env":["PATH=/bin"],"cwd":"/"}""");
        Path socket = t.work().resolve("create.sock");
        t.consoleReceiver(socket, "up", "", 120);
        var create = t.runsc("create", "--bundle", bundle.toString(), "--console-socket", socket.toString(),
                "--pid-file", bundle.resolve("init.pid").toString(), id);
        assertThat(create.status()).as(t.log()).isZero();
        assertThat(t.runsc("start", id).status()).as(t.log()).isZero();
    }

    /** runsc exec -t of {@code process} as the shim runs it; returns the stand-in's report. */
    private String execOnATerminal(String id, String process) throws Exception {
        return report(startExecOnATerminal(id, process, t.work().resolve("exec.pid")));
    }

    private static String report(Process shim) throws Exception {
        return TerminalFixture.report(shim, 120);
    }

    /** Starts the shim stand-in on runsc exec -t of {@code process}, the waiter's pid to go to {@code pidFile}. */
    private Process startExecOnATerminal(String id, String process, Path pidFile) throws Exception {
        Path processJson = Files.writeString(t.work().resolve("process-" + System.nanoTime() + ".json"), process);
        Path socket = t.work().resolve("exec-" + System.nanoTime() + ".sock");
        Files.deleteIfExists(pidFile);
        List<String> command = new ArrayList<>(List.of("python3", t.script("exec_shim.py").toString(), socket.toString(),
                pidFile.toString(), "90"));
        command.addAll(List.of(ProcessHandle.current().info().command().orElseThrow(), "--enable-native-access=ALL-UNNAMED",
                "-Djvisor.home=" + t.home(), "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(t.globalFlags("exec", "--console-socket", socket.toString(), "--process", processJson.toString(),
                "--detach", "--pid-file", pidFile.toString(), id));
        return t.helper(command);
    }

    private static String screen(String report) {
        Matcher m = Pattern.compile("screen='(.*)'").matcher(report);
        assertThat(m.find()).as(report).isTrue();
        return m.group(1);
    }

    @Test
    void anExecdProcessGetsItsOwnSizedTerminalAndItsWaiterExitsWithItsStatus() throws Exception {
        runContainerOnATerminal("t1");
        List<String> before = t.runsc("ps", "--format", "json", "t1").out().lines().toList();

        // It outlives exec (sleep): exec's output must still end when exec returns.
        String report = execOnATerminal("t1", """
                {"terminal":true,"consoleSize":{"height":40,"width":120},"user":{"uid":0,"gid":0},
                 "args":["/bin/sh","-c","tty; stty size; ls -1 /dev/pts; sleep 2; exit 3"],"env":["PATH=/bin"],"cwd":"/"}""");
        assertThat(report).as(t.log()).contains("name=/dev/ptmx fds=1 truncated=0");
        try (var left = Files.list(t.work())) {
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

        assertThat(t.runsc("ps", "--format", "json", "t1").out().lines().toList()).as("nothing of the execs is left").isEqualTo(before);
        assertThat(t.runsc("state", "t1").out()).contains("\"running\"");
    }

    @Test
    void sigkillOfTheWaiterKillsTheProcessAndItsTerminalHangsUp() throws Exception {
        runContainerOnATerminal("t3");
        Path pidFile = t.work().resolve("killed.pid");
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
        assertThat(report).as(t.log()).contains("master-closed").contains("waiter_status=-9");
        assertThat(screen(report)).isEqualTo("ready\\r\\n");
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.runsc("ps", "--format", "json", "t3").out().split(",").length > 2 && System.nanoTime() < deadline) Thread.sleep(50);
        assertThat(t.runsc("ps", "--format", "json", "t3").out().split(",")).as("boot and the container's sleep alone").hasSize(2);
    }

    @Test
    void theControlChannelRefusesATerminalThatIsNotOneAndClosesWhatItWasSent() throws Exception {
        runContainerOnATerminal("t4");
        Path socket = ControlProtocol.socketIn(SandboxAddress.of(t.root(), "t4").stateDir());
        String report = report(t.helper(List.of("python3", t.script("control_exec_terminal.py").toString(), socket.toString(), "t4")));
        List<String> answers = report.lines().filter(l -> l.startsWith("answer=")).toList();
        assertThat(answers).as(report).hasSize(4).allMatch(a -> a.endsWith("closed=True"));
        assertThat(answers.get(0)).contains("BAD_REQUEST").contains("expected 1 fd");
        assertThat(answers.get(1)).contains("EXEC_FAILED").contains("not a terminal");
        assertThat(answers.get(2)).contains("BAD_REQUEST");
        assertThat(answers.get(3)).contains("NO_SUCH_CONTAINER");
        assertThat(t.runsc("state", "t4").out()).contains("\"running\"");
    }

    @Test
    void aTerminalNeedsAConsoleSocketAndASocketNeedsATerminal() throws Exception {
        runContainerOnATerminal("t2");
        Path process = Files.writeString(t.work().resolve("p.json"), """
                {"terminal":true,"user":{"uid":0,"gid":0},"args":["/bin/true"],"cwd":"/"}""");
        var r = t.runsc("exec", "--process", process.toString(), "--detach", "--pid-file", t.work().resolve("x.pid").toString(), "t2");
        assertThat(r.status()).isNotZero();
        assertThat(t.log().strip().lines().toList().getLast()).contains("process.terminal").contains("--console-socket");

        process = Files.writeString(t.work().resolve("p.json"), """
                {"terminal":false,"user":{"uid":0,"gid":0},"args":["/bin/true"],"cwd":"/"}""");
        r = t.runsc("exec", "--process", process.toString(), "--console-socket", t.work().resolve("x.sock").toString(), "t2");
        assertThat(r.status()).isNotZero();
        assertThat(t.log().strip().lines().toList().getLast()).contains("--console-socket needs process.terminal");

        // Nobody listens on the socket: exec fails cleanly and the container goes on.
        process = Files.writeString(t.work().resolve("p.json"), """
                {"terminal":true,"user":{"uid":0,"gid":0},"args":["/bin/true"],"cwd":"/"}""");
        r = t.runsc("exec", "--process", process.toString(), "--console-socket", t.work().resolve("nobody.sock").toString(), "t2");
        assertThat(r.status()).isNotZero();
        assertThat(t.log().strip().lines().toList().getLast()).contains("--console-socket").contains("ENOENT");
        assertThat(t.work().resolve("x.pid")).doesNotExist();
        assertThat(t.runsc("state", "t2").out()).contains("\"running\"");
    }
}
