package dev.jvisor.sentry;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of the Sentry leaves nothing behind: every stub process holding an application
 * address space dies with it (PTRACE_O_EXITKILL), and so does every ready stub of the kernel's
 * pool, so no sandboxed code — nor an empty stub — outlives its kernel.
 */
class KillCleanupIT {
    @Test
    void killingTheSentryKillsEveryStub() throws Exception {
        Path dist = Path.of(System.getProperty("jvisor.dist.dir", "target/jvisor-runtime"));
        Path rootfs = dist.resolveSibling("rootfs-busybox");
        Process sentry = new ProcessBuilder(dist.resolve("bin/runsc").toString(), "do", "--rootfs", rootfs.toString(), "--",
                "/bin/sh", "-c", "sleep 100 & sleep 100 & wait")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            List<Long> stubs = List.of();
            long deadline = System.nanoTime() + 60_000_000_000L;
            // The shell and its two sleeps each run in a stub; the kernel's pool keeps two more ready.
            while (stubs.size() < 5 && System.nanoTime() < deadline) {
                Thread.sleep(100);
                stubs = StubProcesses.childrenOf(sentry.pid());
            }
            assertThat(stubs).as("three tasks' stubs and two ready ones").hasSizeGreaterThanOrEqualTo(5);
            sentry.destroyForcibly().waitFor();
            long gone = System.nanoTime() + 5_000_000_000L;
            List<Long> alive = new ArrayList<>(stubs);
            while (!alive.isEmpty() && System.nanoTime() < gone) {
                alive.removeIf(pid -> !StubProcesses.isStub(pid));
                Thread.sleep(50);
            }
            assertThat(alive).as("stubs still alive after kill -9 of their Sentry").isEmpty();
        } finally {
            sentry.destroyForcibly();
        }
    }
}
