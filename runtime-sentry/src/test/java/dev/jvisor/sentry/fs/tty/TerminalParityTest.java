package dev.jvisor.sentry.fs.tty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.sentry.Sandbox;
import dev.jvisor.sentry.SandboxRunner;
import dev.jvisor.sentry.SandboxSpec;
import dev.jvisor.sentry.host.Host;
import dev.jvisor.sentry.host.HostTty;
import java.io.File;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Programs on a terminal see the same thing natively (a host pty, the host kernel's line
 * discipline) and in the sandbox (the host pty in raw mode, the Sentry's line discipline): the
 * same keys typed on the same master give the same screen, byte for byte. The C probe covers
 * identity (isatty, ttyname, /dev/tty, session and foreground group), default termios and window
 * size, canonical editing and EOF, VMIN/VTIME, ^C ^\ ^Z, SIGWINCH, background reads and
 * tcsetpgrp, and a pty pair made inside through /dev/ptmx.
 */
class TerminalParityTest {
    @TempDir static Path dir;
    static Path rootfs;
    static Path probe;

    @BeforeAll
    static void build() throws Exception {
        rootfs = SandboxRunner.busyboxRootfs(dir.resolve("rootfs"));
        Path src = dir.resolve("tty_probe.c");
        try (InputStream in = TerminalParityTest.class.getResourceAsStream("/programs/tty_probe.c")) {
            Files.write(src, in.readAllBytes());
        }
        probe = rootfs.resolve("bin/tty_probe");
        Process gcc = new ProcessBuilder("gcc", "-static", "-O1", "-Wall", "-Wextra", "-Werror", "-o", probe.toString(), src.toString())
                .redirectErrorStream(true).start();
        String log = new String(gcc.getInputStream().readAllBytes());
        assertThat(gcc.waitFor()).as(log).isZero();
    }

    /** The probe's prompts and the keys a person would type at them. */
    private static Map<String, List<PtyDriver.Action>> probeScript() {
        Map<String, List<PtyDriver.Action>> s = new LinkedHashMap<>();
        s.put("READY 1\r\n", List.of(new PtyDriver.Type("helo\u007fo wrld\u0017world\r")));
        s.put("READY 2\r\n", List.of(new PtyDriver.Type("abc\u0015xyz\u0004"), new PtyDriver.Type("\u0004")));
        s.put("READY 3\r\n", List.of(new PtyDriver.Type("q\r")));
        s.put("READY 4\r\n", List.of(new PtyDriver.Type("1"), new PtyDriver.Type("23")));
        s.put("READY 5\r\n", List.of(new PtyDriver.Type("junk\u0003")));
        s.put("READY 6\r\n", List.of(new PtyDriver.Type("junk\u001c")));
        s.put("READY 7\r\n", List.of(new PtyDriver.Type("junk\u001a")));
        s.put("READY 8\r\n", List.of(new PtyDriver.Resize(30, 100)));
        return s;
    }

    private static String runNatively(Map<String, List<PtyDriver.Action>> script, String end, String... argv) throws Exception {
        try (PtyDriver pty = new PtyDriver(24, 80)) {
            File slave = new File(pty.slavePath());
            // setsid -c: a new session whose controlling terminal is the pty, as a runtime sets up.
            List<String> cmd = new java.util.ArrayList<>(List.of("setsid", "-c"));
            cmd.addAll(List.of(argv));
            Process p = new ProcessBuilder(cmd).redirectInput(slave).redirectOutput(slave).redirectError(slave).start();
            String screen = pty.converse(script, end, 10_000);
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            return screen;
        }
    }

    private record Sandboxed(String screen, int status) {}

    private static Sandboxed runInSandbox(Map<String, List<PtyDriver.Action>> script, String end, String... argv) throws Exception {
        try (PtyDriver pty = new PtyDriver(24, 80)) {
            int slave = HostTty.openTerminal(pty.slavePath());
            try {
                SandboxSpec spec = new SandboxSpec(rootfs, List.of(argv), List.of("PATH=/bin", "HOME=/root"), "/", "jvisor",
                        false, slave, slave, slave, true, true);
                CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> Sandbox.run(spec));
                String screen = pty.converse(script, end, 10_000);
                return new Sandboxed(screen, status.get(30, TimeUnit.SECONDS));
            } finally {
                Host.close(slave);
            }
        }
    }

    private static String normalised(String screen) {
        return screen.replaceAll("/dev/pts/\\d+", "/dev/pts/N");
    }

    @Test
    void theProbeSeesTheSameTerminalAsNatively() throws Exception {
        String expected = runNatively(probeScript(), "END\r\n", probe.toString());
        assertThat(expected).as("native run").contains("END\r\n");
        Sandboxed actual = runInSandbox(probeScript(), "END\r\n", "/bin/tty_probe");
        assertThat(normalised(actual.screen())).isEqualTo(normalised(expected));
        assertThat(actual.status()).isZero();
    }

    @Test
    void busyboxSttyAndTtyMatchNatively() throws Exception {
        String script = "stty -a; tty; test -t 0 && echo stdin is a terminal; stty -echo; read secret; echo \"[$secret]\"; "
                + "stty echo; stty raw; stty -a | head -n 5; stty sane; echo done";
        Map<String, List<PtyDriver.Action>> keys = Map.of("stdin is a terminal\r\n", List.of(new PtyDriver.Type("hidden\r")));
        String expected = runNatively(keys, "done\r\n", "/bin/busybox", "sh", "-c", script);
        Sandboxed actual = runInSandbox(keys, "done\r\n", "/bin/sh", "-c", script);
        assertThat(normalised(actual.screen())).isEqualTo(normalised(expected)).contains("[hidden]").contains("/dev/pts/N");
        assertThat(actual.screen()).contains("/dev/pts/0\r\n");
        assertThat(actual.status()).isZero();
    }

    @Test
    void anInteractiveShellStopsResumesAndInterruptsItsJobsAsNatively() throws Exception {
        // ash's job control: a foreground job in its own group, ^Z stops it (SIGTSTP to the
        // terminal's foreground group), fg continues it and hands it the terminal, ^C ends it.
        List<PtyDriver.Step> steps = List.of(
                new PtyDriver.Step("$ ", "sleep 30\r"),
                new PtyDriver.Step("sleep 30\r\n", "\u001a"),
                new PtyDriver.Step("$ ", "jobs\r"),
                new PtyDriver.Step("$ ", "fg\r"),
                new PtyDriver.Step("sleep 30\r\n", "\u0003"),
                new PtyDriver.Step("$ ", "echo status $?\r"),
                new PtyDriver.Step("$ ", "exit 4\r"));
        String expected;
        try (PtyDriver pty = new PtyDriver(24, 80)) {
            File slave = new File(pty.slavePath());
            Process p = new ProcessBuilder("setsid", "-c", "/bin/busybox", "env", "-i", "PS1=$ ", "PATH=/bin", "/bin/busybox", "sh", "-i")
                    .redirectInput(slave).redirectOutput(slave).redirectError(slave).start();
            expected = pty.converseInOrder(steps, 5_000);
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(4);
        }
        assertThat(expected).contains("Stopped").contains("status 130");
        try (PtyDriver pty = new PtyDriver(24, 80)) {
            int slave = HostTty.openTerminal(pty.slavePath());
            try {
                SandboxSpec spec = new SandboxSpec(rootfs, List.of("/bin/env", "-i", "PS1=$ ", "PATH=/bin", "/bin/sh", "-i"), List.of(),
                        "/", "jvisor", false, slave, slave, slave, true, true);
                CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> Sandbox.run(spec));
                String actual = pty.converseInOrder(steps, 5_000);
                assertThat(actual).isEqualTo(expected);
                assertThat(status.get(30, TimeUnit.SECONDS)).isEqualTo(4);
            } finally {
                Host.close(slave);
            }
        }
    }

    @Test
    void interruptFromTheKeyboardEndsTheForegroundJobNotTheShell() throws Exception {
        // sh (the session leader, and pid 1 in the sandbox) traps INT; sleep, in its foreground
        // group, dies of it. The exit status of sleep is the shell's proof.
        String script = "trap 'echo trapped INT' INT; echo started; sleep 30; echo \"sleep ended: $?\"";
        Map<String, List<PtyDriver.Action>> keys = Map.of("started\r\n", List.of(new PtyDriver.Type("\u0003")));
        String expected = runNatively(keys, "ended: 130\r\n", "/bin/busybox", "sh", "-c", script);
        Sandboxed actual = runInSandbox(keys, "ended: 130\r\n", "/bin/sh", "-c", script);
        assertThat(actual.screen()).isEqualTo(expected).contains("^C");
        assertThat(actual.status()).isZero();
    }
}
