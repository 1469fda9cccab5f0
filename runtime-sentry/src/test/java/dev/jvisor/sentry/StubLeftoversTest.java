package dev.jvisor.sentry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A sandbox that forks and execs many processes (each taking a ready stub from its kernel's pool)
 * leaves no stub process behind once it ends: neither the tasks' stubs nor the ready ones.
 */
class StubLeftoversTest {

    @Test
    void noStubOutlivesItsSandbox(@TempDir Path dir) throws Exception {
        Path rootfs = SandboxRunner.busyboxRootfs(dir.resolve("rootfs"));
        SandboxRunner.Result r = SandboxRunner.run(rootfs, List.of("/bin/sh", "-c",
                "for i in 1 2 3 4 5 6 7 8; do /bin/true; done; (sleep 0; echo sub) ; echo \"$(echo nested)\"; echo done"), null);
        assertThat(r.out()).isEqualTo("sub\nnested\ndone\n");
        assertThat(r.status()).isZero();
        List<Long> left = StubProcesses.childrenOf(ProcessHandle.current().pid());
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            left = StubProcesses.childrenOf(ProcessHandle.current().pid());
        }
        assertThat(left).as("stub processes left after the sandbox ended").isEmpty();
    }
}
