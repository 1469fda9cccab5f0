package dev.jvisor.sentry.fs.tty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.abi.linux.Termbits;
import dev.jvisor.sentry.Sandbox;
import dev.jvisor.sentry.SandboxRunner;
import dev.jvisor.sentry.SandboxSpec;
import dev.jvisor.sentry.host.Host;
import dev.jvisor.sentry.host.HostTty;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a hostile program does with its terminal stays in the Sentry: it cannot fake input
 * (TIOCSTI), crash the Sentry with bad pointers or requests, take the terminal from another
 * session or give it to a foreign group, and whatever modes and size it sets, the host pty stays
 * raw and its size the host's; when the sandbox ends the host terminal gets its settings and
 * file status flags back.
 * A flood of typed input without a newline stays bounded.
 */
class TerminalIsolationTest {
    @TempDir Path dir;

    @Test
    void aProgramOnTheTerminalCannotReachPastTheSentry() throws Exception {
        Path rootfs = SandboxRunner.busyboxRootfs(dir.resolve("rootfs"));
        Path src = dir.resolve("tty_attacks.c");
        try (InputStream in = getClass().getResourceAsStream("/programs/tty_attacks.c")) {
            Files.write(src, in.readAllBytes());
        }
        Process gcc = new ProcessBuilder("gcc", "-static", "-O1", "-Wall", "-Wextra", "-Werror", "-o",
                rootfs.resolve("bin/tty_attacks").toString(), src.toString()).redirectErrorStream(true).start();
        String log = new String(gcc.getInputStream().readAllBytes());
        assertThat(gcc.waitFor()).as(log).isZero();

        try (PtyDriver pty = new PtyDriver(24, 80)) {
            int slave = HostTty.openTerminal(pty.slavePath());
            try {
                byte[] before = HostTty.getTermios(slave);
                int flagsBefore = Host.fcntl(slave, 3 /* F_GETFL */, 0);
                SandboxSpec spec = new SandboxSpec(rootfs, List.of("/bin/tty_attacks"), List.of(), "/", "jvisor",
                        false, slave, slave, slave, true, true);
                CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> Sandbox.run(spec));
                String screen = pty.converse(Map.of(), "DONE\r\n", 10_000);
                assertThat(screen).isEqualTo("""
                        TIOCSTI EIO
                        TCSETS bad pointer EFAULT
                        TIOCGWINSZ bad pointer EFAULT
                        TCGETS bad pointer EFAULT
                        unknown request ENOTTY
                        TCFLSH bad queue EINVAL
                        TIOCSETD other discipline EINVAL
                        other session: TIOCSCTTY EPERM, tcsetpgrp ENOTTY, TIOCGPGRP ENOTTY
                        tcsetpgrp to another session's group EPERM
                        window size set inside stays 5x5
                        DONE
                        """.replace("\n", "\r\n"));

                // While the program runs with IGNCR and its own size, the host pty is a raw pipe of the host's size.
                Termios host = Termios.decode(HostTty.getTermios(slave));
                assertThat(host.lflag & (Termbits.ICANON | Termbits.ECHO | Termbits.ISIG | Termbits.IEXTEN)).isZero();
                assertThat(host.iflag & (Termbits.ICRNL | Termbits.IGNCR | Termbits.IXON)).isZero();
                assertThat(host.oflag & Termbits.OPOST).isZero();
                assertThat(WindowSize.decode(HostTty.getWindowSize(pty.master()))).isEqualTo(new WindowSize(24, 80, 0, 0));

                pty.type("end\n");
                assertThat(pty.converse(Map.of(), "bye 4\r\n", 10_000)).endsWith("bye 4\r\n");
                assertThat(status.get(30, TimeUnit.SECONDS)).isZero();
                assertThat(HostTty.getTermios(slave)).as("the host terminal's settings come back").isEqualTo(before);
                assertThat(Host.fcntl(slave, 3 /* F_GETFL */, 0)).as("and its file status flags (O_NONBLOCK)").isEqualTo(flagsBefore);
            } finally {
                Host.close(slave);
            }
        }
    }

    @Test
    void aFloodOfInputWithoutANewlineStaysBounded() {
        LineDiscipline ld = new LineDiscipline((b, off, len) -> { }, sig -> { }, () -> { });
        byte[] chunk = "y".repeat(64 * 1024).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int i = 0; i < 64; i++) ld.receive(chunk, 0, chunk.length); // 4 MiB typed, no newline
        ld.receive(new byte[] {'\n'}, 0, 1);
        assertThat(ld.readable()).isEqualTo(LineDiscipline.MAX_CANON + 1);

        Termios raw = ld.termios();
        raw.lflag &= ~Termbits.ICANON;
        ld.setTermios(raw);
        for (int i = 0; i < 64; i++) ld.receive(chunk, 0, chunk.length);
        assertThat(ld.readable()).isLessThanOrEqualTo(LineDiscipline.MAX_INPUT);
    }
}
