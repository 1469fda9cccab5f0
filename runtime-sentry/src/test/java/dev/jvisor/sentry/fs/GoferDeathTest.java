package dev.jvisor.sentry.fs;

import dev.jvisor.sentry.SandboxRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** When the Gofer dies under a running sandbox, file operations fail with an errno: no hang, no crash. */
class GoferDeathTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void filesFailCleanlyAfterTheGoferIsKilled() throws Exception {
        Path root = SandboxRunner.busyboxRootfs(dir.resolve("root"));
        CompletableFuture<SandboxRunner.Result> run = new CompletableFuture<>();
        Thread sandbox = new Thread(() -> {
            try {
                // With the overlay off, /ready appears on the host once sh runs; /etc is not looked at before the kill;
                // the read is the shell's builtin, so no program has to be loaded from the dead Gofer.
                run.complete(SandboxRunner.run(root, List.of("/bin/sh", "-c",
                        "echo > /ready; sleep 1; read line < /etc/group; echo status $?"), null, false, false));
            } catch (Throwable e) {
                run.completeExceptionally(e);
            }
        }, "sandbox");
        sandbox.start();
        long self = ProcessHandle.current().pid();
        ProcessHandle gofer = null;
        for (int i = 0; i < 200 && gofer == null; i++) {
            gofer = ProcessHandle.of(self).orElseThrow().children()
                    .filter(p -> p.info().arguments().map(a -> List.of(a).contains("dev.jvisor.gofer.GoferMain")).orElse(false))
                    .findFirst().orElse(null);
            if (gofer == null) Thread.sleep(10);
        }
        assertThat(gofer).as("the Gofer child").isNotNull();
        for (int i = 0; i < 3000 && !java.nio.file.Files.exists(root.resolve("ready")); i++) Thread.sleep(10);
        assertThat(root.resolve("ready")).exists();
        gofer.destroyForcibly();
        SandboxRunner.Result r = run.get(50, TimeUnit.SECONDS);
        // The shell's own open of /etc/group fails (the Gofer is gone) and the shell goes on.
        assertThat(r.out()).matches("status [1-9][0-9]*\n");
        assertThat(r.err()).contains("can't open /etc/group: ");
    }
}
