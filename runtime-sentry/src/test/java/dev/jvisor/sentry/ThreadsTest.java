package dev.jvisor.sentry;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** POSIX threads run as Sentry tasks sharing one address space, each through its own stub. */
class ThreadsTest {
    @TempDir
    static Path dir;
    static Path rootfs;
    static String expected;

    @BeforeAll
    static void build() throws Exception {
        rootfs = SandboxRunner.busyboxRootfs(dir.resolve("rootfs"));
        Path src = dir.resolve("threads.c");
        try (var in = ThreadsTest.class.getResourceAsStream("/programs/threads.c")) {
            Files.write(src, in.readAllBytes());
        }
        Path bin = rootfs.resolve("bin/threads");
        Process gcc = new ProcessBuilder("gcc", "-static", "-O1", "-pthread", "-o", bin.toString(), src.toString())
                .redirectErrorStream(true).start();
        String log = new String(gcc.getInputStream().readAllBytes());
        assertThat(gcc.waitFor()).as(log).isZero();
        Process nat = new ProcessBuilder(bin.toString()).start();
        expected = new String(nat.getInputStream().readAllBytes());
        assertThat(nat.waitFor()).isZero();
    }

    @Test
    void threadsShareMemoryLocksAndJoinAsNatively() throws Exception {
        var r = SandboxRunner.run(rootfs, List.of("/bin/threads"), null);
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo(expected).contains("counter 80000");
        assertThat(r.status()).isZero();
    }
}
