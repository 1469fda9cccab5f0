package dev.jvisor.sentry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A sandbox that forks and execs many processes (each taking a ready stub from its kernel's pool)
 * leaves no stub process behind once it ends: neither the tasks' stubs nor the ready ones.
 */
class StubLeftoversTest {

    /** Stub processes whose parent is this JVM (every stub is spawned by the Sentry that traces it). */
    static List<Long> stubChildren() throws IOException {
        long self = ProcessHandle.current().pid();
        List<Long> out = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) continue;
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    long ppid = Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
                    if (ppid == self && Files.readSymbolicLink(p.resolve("exe")).toString().contains("jvisor-stub")) {
                        out.add(Long.parseLong(name));
                    }
                } catch (IOException | RuntimeException gone) {
                    // exited while we looked
                }
            }
        }
        return out;
    }

    @Test
    void noStubOutlivesItsSandbox(@TempDir Path dir) throws Exception {
        Path rootfs = SandboxRunner.busyboxRootfs(dir.resolve("rootfs"));
        SandboxRunner.Result r = SandboxRunner.run(rootfs, List.of("/bin/sh", "-c",
                "for i in 1 2 3 4 5 6 7 8; do /bin/true; done; (sleep 0; echo sub) ; echo \"$(echo nested)\"; echo done"), null);
        assertThat(r.out()).isEqualTo("sub\nnested\ndone\n");
        assertThat(r.status()).isZero();
        List<Long> left = stubChildren();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            left = stubChildren();
        }
        assertThat(left).as("stub processes left after the sandbox ended").isEmpty();
    }
}
