package dev.jvisor.sentry;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * AF_UNIX sockets inside the sandbox behave as on Linux: pairs, fd passing between processes
 * (SCM_RIGHTS), path and abstract names, listen/accept/connect, datagrams, shutdown and EPIPE.
 */
class UnixSocketTest {
    @TempDir
    static Path dir;
    static Path rootfs;
    static String expected;

    @BeforeAll
    static void build() throws Exception {
        rootfs = SandboxRunner.busyboxRootfs(dir.resolve("rootfs"));
        expected = ParityPrograms.buildAndRunNatively(rootfs, dir, "unix_sockets");
    }

    @Test
    void unixSocketsMatchLinux() throws Exception {
        var r = SandboxRunner.run(rootfs, List.of("/bin/unix_sockets"), null);
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo(expected).contains("child got an fd: yes, read through it: 8 via pipe");
        assertThat(r.status()).isZero();
    }
}
