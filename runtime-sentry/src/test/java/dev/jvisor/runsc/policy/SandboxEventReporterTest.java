package dev.jvisor.runsc.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.abi.linux.Sysno;
import dev.jvisor.node.v1.EventKind;
import dev.jvisor.node.v1.SandboxEvent;
import dev.jvisor.runsc.policy.grpc.GrpcEventChannel;
import dev.jvisor.sentry.monitor.SyscallDenials;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reporter against a real gRPC server on a unix socket: what arrives, how a flood of
 * refusals is folded into a few counted events, and that an absent agent costs nothing.
 */
class SandboxEventReporterTest {

    static final PodIdentity POD = new PodIdentity("tenant-a", "web-0", "2f1e0d9c-8b7a-4c6d-9e5f-403a2b1c0d0e");

    @TempDir Path dir;
    private final List<String> warnings = new CopyOnWriteArrayList<>();

    private SandboxEventReporter reporter(Path socket) {
        return new SandboxEventReporter(() -> GrpcEventChannel.open(socket, POD, "sb-1"), Duration.ofMillis(100),
                warnings::add);
    }

    static long calls(List<SandboxEvent> events, EventKind kind, String syscall) {
        return events.stream().filter(e -> e.getKind() == kind && e.getSyscall().equals(syscall))
                .mapToLong(SandboxEvent::getCount).sum();
    }

    @Test
    void aFloodOfRefusalsArrivesAsAFewEventsWhoseCountsAddUp() throws Exception {
        Path socket = dir.resolve("agent.sock");
        try (ScriptedAgent agent = new ScriptedAgent(socket)) {
            SyscallDenials denials = new SyscallDenials();
            SandboxEventReporter events = reporter(socket);
            events.started(denials, 4242);
            // The sandbox runs for a while: the stream is up (a cold JVM loads gRPC first).
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (agent.events.isEmpty() && System.nanoTime() < deadline) Thread.sleep(10);
            // Four threads refused a million calls between them, while the reporter drains.
            long began = System.nanoTime();
            IntStream.range(0, 4).parallel().forEach(i -> {
                for (int n = 0; n < 250_000; n++) denials.syscallDenied(Sysno.PTRACE);
            });
            long floodNanos = System.nanoTime() - began;
            denials.syscallDenied(Sysno.MOUNT);
            denials.syscallUnsupported(100_000);
            events.exited(3);
            events.close();
            // close() waits at most CLOSE_WAIT; on a loaded machine the last events may land
            // after it returned: the stream's end says they all did.
            deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (agent.completedStreams.get() == 0 && System.nanoTime() < deadline) Thread.sleep(10);

            List<SandboxEvent> got = agent.events;
            assertThat(got.getFirst().getKind()).isEqualTo(EventKind.SANDBOX_STARTED);
            assertThat(got.getFirst().getSentryPid()).isEqualTo(4242);
            assertThat(got.getLast().getKind()).isEqualTo(EventKind.SANDBOX_EXITED);
            assertThat(got.getLast().getExitStatus()).isEqualTo(3);
            assertThat(got).allSatisfy(e -> {
                assertThat(e.getPod().getUid()).isEqualTo(POD.uid());
                assertThat(e.getSandboxId()).isEqualTo("sb-1");
            });
            assertThat(calls(got, EventKind.SYSCALL_DENIED, "ptrace")).isEqualTo(1_000_000);
            assertThat(calls(got, EventKind.SYSCALL_DENIED, "mount")).isEqualTo(1);
            assertThat(calls(got, EventKind.UNSUPPORTED_SYSCALL, "syscall_other")).isEqualTo(1);
            // One ptrace event per drain at most: far fewer than the calls.
            long ptraceEvents = got.stream().filter(e -> e.getSyscall().equals("ptrace")).count();
            assertThat(ptraceEvents).isBetween(1L, 2 + floodNanos / Duration.ofMillis(100).toNanos());
            assertThat(events.sent()).isEqualTo(got.size());
            assertThat(events.acceptedByAgent()).isEqualTo(got.size());
            assertThat(events.dropped()).isZero();
            assertThat(agent.completedStreams.get()).isEqualTo(1);
            assertThat(warnings).isEmpty();
        }
    }

    @Test
    void withoutAnAgentEventsAreDroppedAndCountedAndNothingWaits() throws Exception {
        SyscallDenials denials = new SyscallDenials();
        SandboxEventReporter events = reporter(dir.resolve("nobody-listens.sock"));
        events.started(denials, 1);
        for (int n = 0; n < 100_000; n++) denials.syscallDenied(Sysno.REBOOT);
        Thread.sleep(300);
        long began = System.nanoTime();
        events.exited(0);
        events.close();
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(SandboxEventReporter.CLOSE_WAIT);
        // close() does not wait for the reporter's thread: on a loaded machine it may still be
        // loading gRPC, and counts the drops once it gets to them.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while ((events.dropped() < 3 || warnings.isEmpty()) && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(events.sent()).isZero();
        // started, at least one aggregated reboot event, exited.
        assertThat(events.dropped()).isGreaterThanOrEqualTo(3);
        assertThat(warnings).singleElement().asString().contains("dropped and counted");
    }

    /**
     * A stream still connecting for its first {@code notReadyFor} waits (each "timing out" at
     * once rather than after {@link SandboxEventReporter#READY_WAIT}), as a first gRPC connection
     * in a cold JVM on a loaded node is; it records what it is sent. A real slow agent cannot be
     * made slow on cue, so this stands in for it.
     */
    private static final class LateStream implements EventChannel.Stream {
        final List<MonitorEvent> sent = new CopyOnWriteArrayList<>();
        private final AtomicInteger notReadyFor;

        LateStream(int notReadyFor) {
            this.notReadyFor = new AtomicInteger(notReadyFor);
        }

        @Override public boolean awaitReady(Duration timeout) { return notReadyFor.getAndDecrement() <= 0; }
        @Override public boolean failed() { return false; }
        @Override public void send(MonitorEvent event) { sent.add(event); }
        @Override public Optional<EventChannel.Summary> finish(Duration timeout) {
            return Optional.of(new EventChannel.Summary(sent.size(), 0));
        }
        @Override public void cancel() { }
    }

    @Test
    void aFirstStreamSlowerThanTheReadyWaitStillGetsTheStartFirstAndLosesNothing() throws Exception {
        LateStream stream = new LateStream(1);
        EventChannel channel = new EventChannel() {
            @Override public Stream openStream() { return stream; }
            @Override public void close() { }
        };
        SandboxEventReporter events = new SandboxEventReporter(() -> channel, Duration.ofMillis(50), warnings::add);
        SyscallDenials denials = new SyscallDenials();
        events.started(denials, 77);
        for (int n = 0; n < 10; n++) denials.syscallDenied(Sysno.PTRACE);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (stream.sent.size() < 2 && System.nanoTime() < deadline) Thread.sleep(10);
        events.exited(3);
        events.close();

        List<MonitorEvent> got = stream.sent;
        assertThat(got).extracting(MonitorEvent::kind).first().isEqualTo(MonitorEvent.Kind.STARTED);
        assertThat(got.getFirst().sentryPid()).isEqualTo(77);
        assertThat(got).extracting(MonitorEvent::kind).filteredOn(k -> k == MonitorEvent.Kind.STARTED).hasSize(1);
        assertThat(got.stream().filter(e -> e.syscall().equals("ptrace")).mapToLong(MonitorEvent::calls).sum()).isEqualTo(10);
        assertThat(got.getLast().kind()).isEqualTo(MonitorEvent.Kind.EXITED);
        assertThat(got.getLast().exitStatus()).isEqualTo(3);
        assertThat(events.sent()).isEqualTo(got.size());
        assertThat(events.dropped()).isZero();
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlocking() {
        // Never started: nothing drains, as when the agent's stream is stuck.
        SandboxEventReporter events = reporter(dir.resolve("unused.sock"));
        for (int i = 0; i < SandboxEventReporter.QUEUE + 10; i++) events.exited(i);
        assertThat(events.dropped()).isEqualTo(10);
        events.close();
    }

    @Test
    void theDrainResumesWhereItStoppedSoBusyNumbersDoNotStarveOthers() {
        SyscallDenials denials = new SyscallDenials();
        for (int nr = 0; nr < 100; nr++) denials.syscallDenied(nr);
        List<SyscallDenials.Count> first = new CopyOnWriteArrayList<>();
        assertThat(denials.drain(60, first::add)).isEqualTo(60);
        for (int nr = 0; nr < 60; nr++) denials.syscallDenied(nr);
        List<SyscallDenials.Count> second = new CopyOnWriteArrayList<>();
        denials.drain(40, second::add);
        assertThat(second).extracting(SyscallDenials.Count::nr).containsExactlyElementsOf(
                IntStream.range(60, 100).boxed().toList());
        assertThat(denials.pending()).isTrue();
    }
}
