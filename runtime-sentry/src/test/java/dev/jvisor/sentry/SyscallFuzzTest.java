package dev.jvisor.sentry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random syscalls with garbage arguments, from processes inside the sandbox: the Sentry answers
 * every one with a result or an errno — no handler crashes, nothing hangs, the sandbox ends.
 */
class SyscallFuzzTest {
    @TempDir
    Path dir;

    @Test
    void garbageSyscallsNeverCrashTheSentry() throws Exception {
        Path rootfs = SandboxRunner.busyboxRootfs(dir.resolve("rootfs"));
        Path src = dir.resolve("fuzz.c");
        try (var in = getClass().getResourceAsStream("/programs/syscall_fuzz.c")) {
            Files.write(src, in.readAllBytes());
        }
        Path bin = rootfs.resolve("bin/fuzz");
        Process gcc = new ProcessBuilder("gcc", "-static", "-O1", "-o", bin.toString(), src.toString()).redirectErrorStream(true).start();
        String log = new String(gcc.getInputStream().readAllBytes());
        assertThat(gcc.waitFor()).as(log).isZero();

        ByteArrayOutputStream sentryLog = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        SandboxRunner.Result r;
        System.setErr(new PrintStream(sentryLog, true, StandardCharsets.UTF_8));
        try {
            r = SandboxRunner.run(rootfs, List.of("/bin/fuzz", "12", "2000", Long.toString(System.nanoTime())), null);
        } finally {
            System.setErr(saved);
        }
        String kernelLog = sentryLog.toString(StandardCharsets.UTF_8);
        assertThat(r.out()).as("sandbox output; Sentry log:\n%s", kernelLog).contains("survived");
        assertThat(kernelLog).as("handlers must fail with errnos, never with exceptions")
                .doesNotContain("failed in the Sentry").doesNotContain("Exception");
    }
}
