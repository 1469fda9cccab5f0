package dev.jvisor.sentry.fs.tty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jvisor.sentry.host.HostTty;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code runsc do --tty} of the packaged distribution, from a terminal as a person runs it: the
 * command is on the sandbox's /dev/pts/0 with the Sentry's echo and line editing, even when
 * runsc's own stdin is read-only, and afterwards the person's terminal has its settings back.
 */
class DoTtyIT {
    private static final Path DIST = Path.of(System.getProperty("jvisor.dist.dir", "target/jvisor-runtime")).toAbsolutePath();
    private static final Path ROOTFS = Path.of(System.getProperty("jvisor.rootfs.busybox", "target/rootfs-busybox")).toAbsolutePath();

    @Test
    void aCommandRunsOnTheSentrysTerminalAndTheCallersTerminalIsRestored() throws Exception {
        assumeTrue(Files.isExecutable(DIST.resolve("bin/runsc")), "no distribution at " + DIST);
        assumeTrue(Files.isDirectory(ROOTFS), "no busybox rootfs (busybox-static missing)");
        try (PtyDriver pty = new PtyDriver(24, 80)) {
            int mine = HostTty.openTerminal(pty.slavePath());
            byte[] before = HostTty.getTermios(mine);
            File slave = new File(pty.slavePath());
            // ProcessBuilder opens a stdin redirect read-only: runsc must not depend on writing to its fd 0.
            Process p = new ProcessBuilder("setsid", "-c", DIST.resolve("bin/runsc").toString(), "do", "--tty", "--rootfs", ROOTFS.toString(),
                    "--", "/bin/sh", "-c", "tty; echo ready; read x; echo \"[$x]\"; exit 6")
                    .redirectInput(slave).redirectOutput(slave).redirectError(slave).start();
            String screen = pty.converse(java.util.Map.of("ready\r\n", List.of(new PtyDriver.Type("ab\u007fc\r"))), "]\r\n", 30_000);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(screen).isEqualTo(6);
            assertThat(screen).endsWith("/dev/pts/0\r\nready\r\nab\b \bc\r\n[ac]\r\n");
            assertThat(HostTty.getTermios(mine)).as("the caller's terminal settings come back").isEqualTo(before);
            dev.jvisor.sentry.host.Host.close(mine);
        }
    }
}
