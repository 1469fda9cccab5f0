package dev.jvisor.sentry;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** busybox-static runs in the sandbox: output, exit codes, pipes and the shell. */
class BusyboxSmokeTest {
    @TempDir
    static Path dir;
    static Path rootfs;

    @BeforeAll
    static void rootfs() throws Exception {
        rootfs = SandboxRunner.busyboxRootfs(dir.resolve("rootfs"));
    }

    @Test
    void echo() throws Exception {
        var r = SandboxRunner.run(rootfs, List.of("/bin/busybox", "echo", "hello", "world"), null, Boolean.getBoolean("strace"));
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("hello world\n");
        assertThat(r.status()).isZero();
    }
}
