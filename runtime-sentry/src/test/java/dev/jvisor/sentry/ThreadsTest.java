package dev.jvisor.sentry;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        expected = ParityPrograms.buildAndRunNatively(rootfs, dir, "threads", "-pthread");
    }

    @Test
    void threadsShareMemoryLocksAndJoinAsNatively() throws Exception {
        var r = SandboxRunner.run(rootfs, List.of("/bin/threads"), null);
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo(expected).contains("counter 80000");
        assertThat(r.status()).isZero();
    }
}
