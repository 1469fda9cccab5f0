package dev.jvisor.runsc.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jvisor.node.v1.EventKind;
import dev.jvisor.node.v1.SandboxEvent;
import dev.jvisor.runsc.policy.grpc.GrpcEventChannel;
import dev.jvisor.sentry.RunningSandbox;
import dev.jvisor.sentry.SandboxSpec;
import dev.jvisor.sentry.host.Host;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real program in a real Sentry makes thousands of syscalls the sandbox refuses; the agent's
 * socket receives the sandbox's start, the refusals folded into counted events (every call
 * accounted for), and its exit status. Without an agent the program's status is the same.
 */
class SandboxEventsFromASandboxTest {

    private static final int O_CLOEXEC = 0x80000;
    private static final int CALLS = 20_000;

    @TempDir static Path dir;
    private static Path rootfs;

    @BeforeAll
    static void compile() throws Exception {
        rootfs = Files.createDirectories(dir.resolve("rootfs"));
        Path source = dir.resolve("deny-flood.c");
        try (InputStream in = SandboxEventsFromASandboxTest.class.getResourceAsStream("/monitor/deny-flood.c")) {
            Files.copy(in, source);
        }
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-static", "-O1", "-o", rootfs.resolve("deny-flood").toString(),
                    source.toString()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            assumeTrue(false, "no gcc: " + e.getMessage());
            return;
        }
        String diagnostics = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gcc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(gcc.exitValue()).as(diagnostics).isZero();
    }

    /** One sandbox's run; {@code events} is its reporter, closed (its thread may still be finishing). */
    private record Run(int status, SandboxEventReporter events, Duration took) {
        long sent() { return events.sent(); }
        long dropped() { return events.dropped(); }
    }

    private static Run run(Path socket) throws Exception {
        SandboxEventReporter events = new SandboxEventReporter(
                () -> GrpcEventChannel.open(socket, SandboxEventReporterTest.POD, "pod-sb"), Duration.ofMillis(200),
                w -> { });
        long began = System.nanoTime();
        int stdin = Host.pipe2(O_CLOEXEC)[0];
        RunningSandbox sandbox = RunningSandbox.boot("pod-sb", new SandboxSpec(rootfs,
                List.of("/deny-flood", Integer.toString(CALLS)), List.of(), "/", "box", false, stdin, 2, 2), System.err);
        int status;
        try (sandbox) {
            events.started(sandbox.kernel().monitor(), ProcessHandle.current().pid());
            status = sandbox.awaitExit();
            events.exited(status);
        }
        events.close();
        return new Run(status, events, Duration.ofNanos(System.nanoTime() - began));
    }

    @Test
    void theAgentGetsStartRefusalsAndExitAndTheCountsMatch() throws Exception {
        Path socket = dir.resolve("agent.sock");
        Run run;
        List<SandboxEvent> got;
        try (ScriptedAgent agent = new ScriptedAgent(socket)) {
            run = run(socket);
            // close() waits at most CLOSE_WAIT for the last events; on a loaded machine they may
            // arrive after it returned: the stream's end says they all did.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (agent.completedStreams.get() == 0 && System.nanoTime() < deadline) Thread.sleep(10);
            got = List.copyOf(agent.events);
        }
        assertThat(run.status()).isEqualTo(3);
        assertThat(got.getFirst().getKind()).isEqualTo(EventKind.SANDBOX_STARTED);
        assertThat(got.getFirst().getSentryPid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(got.getLast().getKind()).isEqualTo(EventKind.SANDBOX_EXITED);
        assertThat(got.getLast().getExitStatus()).isEqualTo(3);
        assertThat(SandboxEventReporterTest.calls(got, EventKind.SYSCALL_DENIED, "ptrace")).isEqualTo(CALLS);
        assertThat(SandboxEventReporterTest.calls(got, EventKind.SYSCALL_DENIED, "mount")).isEqualTo(1);
        // Folded: one ptrace event per 200 ms drain at most, however fast the program refuses.
        long ptraceEvents = got.stream().filter(e -> e.getSyscall().equals("ptrace")).count();
        assertThat(ptraceEvents).isLessThanOrEqualTo(2 + run.took().toMillis() / 200);
        assertThat(run.sent()).isEqualTo(got.size());
        assertThat(run.dropped()).isZero();
    }

    @Test
    void anAbsentAgentChangesNeitherTheStatusNorTheTimeMaterially() throws Exception {
        Run with;
        try (ScriptedAgent agent = new ScriptedAgent(dir.resolve("agent2.sock"))) {
            with = run(dir.resolve("agent2.sock"));
        }
        Run without = run(dir.resolve("nobody-listens.sock"));
        assertThat(without.status()).isEqualTo(with.status()).isEqualTo(3);
        // The reporter's thread may still be loading gRPC when close() returns: it counts the
        // drops once it gets to them.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (without.dropped() < 3 && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(without.sent()).isZero();
        assertThat(without.dropped()).isGreaterThanOrEqualTo(3);
        // Generous for a loaded two-core machine; a reporter that waited for the agent would add seconds.
        assertThat(without.took()).isLessThan(with.took().plus(Duration.ofSeconds(2)));
    }
}
