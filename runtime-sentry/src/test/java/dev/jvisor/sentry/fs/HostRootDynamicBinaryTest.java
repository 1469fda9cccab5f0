package dev.jvisor.sentry.fs;

import dev.jvisor.sentry.SandboxRunner;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code runsc do} without a rootfs: the host root, read-only through the Gofer, under the memory
 * overlay. Debian's own dynamically linked programs load their interpreter and libraries from it.
 */
class HostRootDynamicBinaryTest {
    @Test
    void debianLsListsTheHostRootLikeNative() throws Exception {
        String nativeOut = nativeRun("/bin/ls", "/usr");
        SandboxRunner.Result r = SandboxRunner.run(null, List.of("/bin/ls", "/usr"), null);
        assertThat(r.err()).isEmpty();
        assertThat(r.status()).isZero();
        assertThat(r.out()).isEqualTo(nativeOut);
    }

    @Test
    void writesToTheHostRootStayInTheSandbox() throws Exception {
        SandboxRunner.Result r = SandboxRunner.run(null, List.of("/bin/busybox", "sh", "-c",
                "echo inside > /etc/jvisor-overlay-probe && cat /etc/jvisor-overlay-probe && /usr/bin/env -i A=1"), null);
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("inside\nA=1\n");
        assertThat(java.nio.file.Path.of("/etc/jvisor-overlay-probe")).doesNotExist();
    }

    @Test
    void theHostsTmpIsVisibleUnderTheOverlayAsEveryOtherDirectory() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory(java.nio.file.Path.of("/tmp"), "jvisor-hosttmp");
        try {
            java.nio.file.Files.writeString(dir.resolve("input"), "from the host\n");
            SandboxRunner.Result r = SandboxRunner.run(null, List.of("/bin/busybox", "sh", "-c",
                    "cat " + dir + "/input && echo sandboxed > " + dir + "/output && cat " + dir + "/output"), null);
            assertThat(r.err()).isEmpty();
            assertThat(r.out()).isEqualTo("from the host\nsandboxed\n");
            assertThat(dir.resolve("output")).doesNotExist();
        } finally {
            java.nio.file.Files.deleteIfExists(dir.resolve("input"));
            java.nio.file.Files.deleteIfExists(dir);
        }
    }

    private static String nativeRun(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        return out;
    }
}
