package dev.jvisor.sentry;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Debian's dynamically linked binaries run in the sandbox: the interpreter named by PT_INTERP and
 * the shared libraries come from the sandbox's root, never the host's.
 */
class DynamicProgramTest {
    @TempDir
    static Path dir;
    static Path rootfs;

    @BeforeAll
    static void rootfs() throws Exception {
        rootfs = SandboxRunner.busyboxRootfs(dir.resolve("rootfs"));
        for (String f : List.of("/usr/bin/env", "/usr/bin/ls", "/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/libc.so.6",
                "/lib/x86_64-linux-gnu/libselinux.so.1", "/lib/x86_64-linux-gnu/libpcre2-8.so.0")) {
            Path dst = rootfs.resolve(f.substring(1));
            Files.createDirectories(dst.getParent());
            Files.copy(Path.of(f).toRealPath(), dst, StandardCopyOption.REPLACE_EXISTING);
            dst.toFile().setExecutable(true, false);
        }
    }

    @Test
    void envRunsThroughTheDynamicLoader() throws Exception {
        var r = SandboxRunner.run(rootfs, List.of("/usr/bin/env"), null);
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("PATH=/bin:/usr/bin\nHOME=/root\n");
        assertThat(r.status()).isZero();
    }

    @Test
    void lsListsTheSandboxRootWithoutErrors() throws Exception {
        var r = SandboxRunner.run(rootfs, List.of("/usr/bin/ls", "-la", "/"), null);
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).contains(" bin\n", " lib64\n", " proc\n", " tmp\n").startsWith("total ");
        assertThat(r.status()).isZero();
    }

    @Test
    void aMissingLibraryFailsAsOnLinux() throws Exception {
        Files.delete(rootfs.resolve("lib/x86_64-linux-gnu/libpcre2-8.so.0"));
        try {
            var r = SandboxRunner.run(rootfs, List.of("/usr/bin/ls", "/"), null);
            assertThat(r.err()).contains("libpcre2-8.so.0").contains("cannot open shared object file");
            assertThat(r.status()).isEqualTo(127);
        } finally {
            Files.copy(Path.of("/lib/x86_64-linux-gnu/libpcre2-8.so.0").toRealPath(), rootfs.resolve("lib/x86_64-linux-gnu/libpcre2-8.so.0"));
        }
    }
}
