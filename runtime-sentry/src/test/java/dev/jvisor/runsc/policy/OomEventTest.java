package dev.jvisor.runsc.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jvisor.node.v1.EventKind;
import dev.jvisor.runsc.policy.grpc.GrpcEventChannel;
import dev.jvisor.sentry.monitor.SyscallDenials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real OOM kill in a real cgroup v1 memory cgroup (16 MiB, a process that wants 200 MiB)
 * reaches the agent as one OOM event. Needs root and the v1 memory controller.
 */
class OomEventTest {
    private static final Path MEMORY = Path.of("/sys/fs/cgroup/memory");

    @TempDir Path dir;
    private Path cgroup;

    @AfterEach
    void removeCgroup() throws Exception {
        if (cgroup != null && Files.isDirectory(cgroup)) Files.delete(cgroup);
    }

    @Test
    void anOomKillInTheSandboxesMemoryCgroupBecomesOneOomEvent() throws Exception {
        assumeTrue(Files.isWritable(MEMORY.resolve("cgroup.procs")), "needs root and cgroup v1's memory controller");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "needs python3 to use memory");
        cgroup = Files.createDirectory(MEMORY.resolve("jvisor-oom-test-" + ProcessHandle.current().pid()));
        Files.writeString(cgroup.resolve("memory.limit_in_bytes"), Integer.toString(16 << 20));
        OomCounter counter = new OomCounter(cgroup.resolve("memory.oom_control"));
        assumeTrue(counter.kills().isPresent(), "kernel without oom_kill in memory.oom_control (before 4.13)");
        assertThat(counter.kills()).hasValue(0);

        Path socket = dir.resolve("agent.sock");
        try (ScriptedAgent agent = new ScriptedAgent(socket)) {
            SandboxEventReporter events = new SandboxEventReporter(
                    () -> GrpcEventChannel.open(socket, SandboxEventReporterTest.POD, "sb-oom"), Duration.ofMillis(100),
                    w -> { });
            events.watchOom(counter);
            events.started(new SyscallDenials(), 1);
            waitFor(() -> !agent.events.isEmpty());

            // Joins the cgroup, then asks for far more than its limit: the kernel kills it.
            Process hog = new ProcessBuilder("/bin/sh", "-c", "echo $$ > " + cgroup.resolve("cgroup.procs")
                    + " && exec /usr/bin/python3 -c 'b = bytearray(200 << 20); print(len(b))'")
                    .redirectErrorStream(true).start();
            assertThat(hog.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(hog.exitValue()).isEqualTo(137);
            assertThat(counter.kills()).hasValue(1);

            waitFor(() -> agent.events.stream().anyMatch(e -> e.getKind() == EventKind.OOM));
            events.exited(137);
            events.close();
            assertThat(agent.events).filteredOn(e -> e.getKind() == EventKind.OOM).singleElement()
                    .satisfies(e -> assertThat(e.getDetail()).contains("1 process"));
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) Thread.sleep(20);
    }
}
