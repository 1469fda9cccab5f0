package dev.jvisor.kindtests.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
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
 * {@code ctr run -t} through containerd's stock runc shim with jVisor's runsc: the shim asks for
 * a console socket, runsc sends it the master of a new pty, and the container's shell runs on
 * the Sentry's terminal. ctr itself needs a terminal, so a python3 pty stands in for the
 * person at the keyboard: it sets a window size, waits for the prompt, types a line and reads
 * the screen until ctr exits. Checked: {@code tty} inside, the window size ctr passed on, the
 * Sentry's echo of the typed line, ^C, the exit code, the very same screen under runc, and
 * nothing left behind. The same for {@code ctr task exec -t} in a running container: the
 * exec'd process gets a terminal of its own through the console socket the shim passes exec.
 */
class RuncShimTerminalTest {
    private static final Path RUNSC = RuncShimLifecycleTest.RUNSC;
    /** Debian's runc: what a container on a terminal looks like behind the same shim and ctr. */
    private static final Path RUNC = Path.of("/usr/sbin/runc");

    /** The keyboard and screen: runs argv on a new pty of ROWSxCOLS, answers PROMPT with KEYS. */
    private static final String DRIVER = """
            import fcntl, os, pty, select, struct, sys, termios, time
            rows, cols, prompt, keys, timeout = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].encode(), sys.argv[4].encode(), float(sys.argv[5])
            argv = sys.argv[6:]
            master, slave = pty.openpty()
            fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            pid = os.fork()
            if pid == 0:
                os.setsid()
                fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
                for fd in (0, 1, 2):
                    os.dup2(slave, fd)
                os.close(master)
                os.execvp(argv[0], argv)
            os.close(slave)
            screen, typed, deadline = b"", False, time.monotonic() + timeout
            while time.monotonic() < deadline:
                ready, _, _ = select.select([master], [], [], 0.2)
                if not ready:
                    continue
                try:
                    data = os.read(master, 4096)
                except OSError:
                    break
                if not data:
                    break
                screen += data
                if not typed and prompt in screen:
                    time.sleep(0.5)
                    os.write(master, keys)
                    typed = True
            # The pty ends when ctr closes its terminal, which may be a moment before ctr
            # itself exits (it still removes the task): wait for it until the deadline.
            finished, status = os.waitpid(pid, os.WNOHANG)
            while finished == 0 and time.monotonic() < deadline:
                time.sleep(0.05)
                finished, status = os.waitpid(pid, os.WNOHANG)
            if finished == 0:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                print("exit=timeout")
            else:
                print("exit=%d" % os.waitstatus_to_exitcode(status))
            print("screen=%r" % screen.decode(errors="replace"))
            """;

    private static PrivateContainerd containerd;
    private static NodeTraces traces;
    private final List<String> ids = new ArrayList<>();

    @BeforeAll
    static void startContainerdAndImportBusybox() throws Exception {
        assumeTrue(Files.isExecutable(RUNSC), "skipped: no runsc distribution at " + RUNSC + " (build runtime-sentry first)");
        assumeTrue(Commands.onPath("containerd") && Commands.onPath("ctr") && Commands.onPath(PrivateContainerd.SHIM_BINARY),
                "skipped: containerd, ctr or " + PrivateContainerd.SHIM_BINARY + " not installed (apt-get install containerd)");
        assumeTrue(Commands.onPath("python3"), "skipped: python3 drives ctr's terminal");
        assumeTrue(Files.isExecutable(BusyboxImage.BUSYBOX), "skipped: no /bin/busybox (apt-get install busybox-static)");
        assumeTrue("root".equals(System.getProperty("user.name")), "skipped: a private containerd needs root");
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "jvt");
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

    @AfterEach
    void nothingIsLeftBehind() throws Exception {
        for (String id : ids) {
            containerd.ctr("task", "rm", "-f", id);
            containerd.ctr("containers", "rm", id);
        }
        assertThat(traces.settled(ids)).as("left on the host after the test").isEmpty();
    }

    private record Screen(String exit, String shown) {}

    /**
     * The same terminal session under runc (the reference) and under jVisor: the screens and
     * exit codes must be the same. Returns jVisor's.
     */
    private Screen sameAsRunc(String name, String prompt, String keys, String... command) throws Exception {
        Screen jvisor = runOnTerminal(RUNSC, name, prompt, keys, command);
        if (Files.isExecutable(RUNC)) {
            Screen runc = runOnTerminal(RUNC, name + "-runc", prompt, keys, command);
            assertThat(jvisor).isEqualTo(runc);
        }
        return jvisor;
    }

    /** {@code ctr run -t --rm} of {@code command} on a 37x111 terminal, answering {@code prompt}. */
    private Screen runOnTerminal(Path runtime, String name, String prompt, String keys, String... command) throws Exception {
        String id = name + "-" + ProcessHandle.current().pid() + "-" + ids.size();
        ids.add(id);
        List<String> ctrArgs = new ArrayList<>(List.of("run", "-t", "--rm"));
        ctrArgs.addAll(containerd.runtimeFlags(runtime));
        ctrArgs.add(BusyboxImage.NAME);
        ctrArgs.add(id);
        ctrArgs.addAll(List.of(command));
        return onTerminal(ctrArgs, prompt, keys);
    }

    /**
     * {@code ctr task exec -t} of {@code command} on a 37x111 terminal in a container started
     * with {@code ctr run -d} (no terminal of its own), which is killed and removed afterwards.
     */
    private Screen execOnTerminal(Path runtime, String name, String prompt, String keys, String... command) throws Exception {
        String id = name + "-" + ProcessHandle.current().pid() + "-" + ids.size();
        ids.add(id);
        List<String> run = new ArrayList<>(List.of("run", "-d"));
        run.addAll(containerd.runtimeFlags(runtime));
        run.addAll(List.of(BusyboxImage.NAME, id, "sleep", "600"));
        containerd.ctr(run.toArray(String[]::new)).requireSuccess(List.of("ctr run -d"));
        List<String> exec = new ArrayList<>(List.of("task", "exec", "-t", "--exec-id", "tty1", id));
        exec.addAll(List.of(command));
        Screen s = onTerminal(exec, prompt, keys);
        // The container is untouched by its exec'd process's end, and takes another exec.
        var after = containerd.ctr("task", "exec", "--exec-id", "after", id, "sh", "-c", "exit 6");
        assertThat(after.status()).as(after.err()).isEqualTo(6);
        containerd.ctr("task", "kill", "-s", "9", id).requireSuccess(List.of("ctr task kill"));
        return s;
    }

    /** Runs ctr with {@code ctrArgs} under the python3 keyboard and screen. */
    private Screen onTerminal(List<String> ctrArgs, String prompt, String keys) throws Exception {
        Path driver = Files.writeString(containerd.dir().resolve("terminal_driver.py"), DRIVER);
        List<String> cmd = new ArrayList<>(List.of("python3", driver.toString(), "37", "111", prompt, keys, "120"));
        cmd.addAll(containerd.ctrCommand(ctrArgs));
        Process p = new ProcessBuilder(cmd).directory(containerd.dir().toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("the terminal driver finishes").isTrue();
        String report = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String exit = report.lines().filter(l -> l.startsWith("exit=")).findFirst().orElse("exit=?").substring(5);
        String shown = report.lines().filter(l -> l.startsWith("screen=")).findFirst().orElse("screen=").substring(7);
        return new Screen(exit, shown);
    }

    @Test
    void ttyInTheContainerIsTheSentrysTerminalAndTheExitCodeComesBack() throws Exception {
        Screen s = sameAsRunc("tty", "ready", "hel\u007flo\r",
                "sh", "-c", "echo ready; read x; tty; stty size; test -t 1 && echo \"got [$x] on a terminal\"; exit 5");
        assertThat(s.exit()).as(s.shown()).isEqualTo("5");
        // The echo "hel" DEL "lo" CR comes from the Sentry's line discipline (the host pty is raw);
        // ctr's terminal adds a CR to every line, under runc too.
        assertThat(s.shown()).contains("ready\\r\\r\\nhel\\x08 \\x08lo\\r\\r\\n/dev/pts/0\\r\\r\\n37 111\\r\\r\\ngot [helo] on a terminal\\r\\r\\n");
    }

    @Test
    void ctrTaskExecTOnARunningContainerGetsATerminalOfItsOwnAndReturnsItsExitCode() throws Exception {
        Screen jvisor = execOnTerminal(RUNSC, "exect", "ready", "hel\u007flo\r",
                "sh", "-c", "echo ready; read x; tty; stty size; test -t 0 && echo \"got [$x] on a terminal\"; exit 4");
        if (Files.isExecutable(RUNC)) {
            assertThat(jvisor).isEqualTo(execOnTerminal(RUNC, "exect-runc", "ready", "hel\u007flo\r",
                    "sh", "-c", "echo ready; read x; tty; stty size; test -t 0 && echo \"got [$x] on a terminal\"; exit 4"));
        }
        assertThat(jvisor.exit()).as(jvisor.shown()).isEqualTo("4");
        // The container runs without a terminal, so the exec'd process's is the first: /dev/pts/0.
        assertThat(jvisor.shown()).contains("ready\\r\\r\\nhel\\x08 \\x08lo\\r\\r\\n/dev/pts/0\\r\\r\\n37 111\\r\\r\\ngot [helo] on a terminal\\r\\r\\n");
    }

    @Test
    void controlCFromCtrsTerminalInterruptsTheForegroundCommand() throws Exception {
        // sh is pid 1 with a trap; sleep, in the terminal's foreground group, dies of the ^C.
        Screen s = sameAsRunc("intr", "sleeping", "\u0003",
                "sh", "-c", "trap 'echo trapped' INT; echo sleeping; sleep 60; echo \"sleep: $?\"; exit 9");
        assertThat(s.exit()).as(s.shown()).isEqualTo("9");
        assertThat(s.shown()).contains("sleeping\\r\\r\\n^Ctrapped\\r\\r\\nsleep: 130\\r\\r\\n");
    }
}
