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

    private static SandboxRunner.Result sh(String script) throws Exception {
        return SandboxRunner.run(rootfs, List.of("/bin/sh", "-c", script), null, Boolean.getBoolean("strace"));
    }

    @Test
    void shellPipelineForkExecWait() throws Exception {
        var r = sh("seq 1 10000 | sort -rn | uniq | wc -l");
        assertThat(r.err()).isEmpty();
        assertThat(r.out().strip()).isEqualTo("10000");
        assertThat(r.status()).isZero();
    }

    @Test
    void exitCodesAndSignals() throws Exception {
        assertThat(sh("exit 7").status()).isEqualTo(7);
        assertThat(sh("sh -c 'kill -9 $$'; echo $?").out()).isEqualTo("137\n");
    }

    @Test
    void trapAndSubshellsAndBackground() throws Exception {
        var r = sh("trap 'echo got USR1' USR1; kill -USR1 $$; (echo sub; exit 3); echo rc=$?; sleep 0.2 & wait $!; echo waited=$?");
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("got USR1\nsub\nrc=3\nwaited=0\n");
    }

    @Test
    void filesOnTmpfs() throws Exception {
        var r = sh("cd /tmp && echo abc > f && cat f >> f2 && cat f >> f2 && wc -c < f2 && mkdir -p d/e && mv f2 d/e/g && ls d/e && rm -r d && ls");
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("8\ng\nf\n");
    }
}
