package dev.jvisor.nodeagent.policy;

import static dev.jvisor.nodeagent.policy.EventAgentFixture.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.node.v1.EventKind;
import dev.jvisor.node.v1.EventSummary;
import dev.jvisor.node.v1.PodIdentity;
import dev.jvisor.node.v1.SandboxEvent;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Unimplemented system calls, which a program may try in a loop, do not become one Kubernetes
 * Event each: per pod and syscall there is one Event per interval whose {@code count} adds up the
 * calls, as Kubernetes' own repeated Events do; the Prometheus counters still count every event
 * and call. Over the real unix socket, against the CRUD mock API server.
 */
@EnableKubernetesMockClient(crud = true)
class EventSeriesTest {

    static KubernetesClient client;

    @RegisterExtension
    static final EventAgentFixture agent = new EventAgentFixture(() -> client);

    private static SandboxEvent unsupported(String name, String uid, String syscall, long count) {
        return event("tenant-a", name, uid, EventKind.UNSUPPORTED_SYSCALL).setSyscall(syscall).setCount(count).build();
    }

    /** Polls until the pod's UnsupportedSyscall Events about {@code syscall} satisfy {@code done} (each test uses syscalls of its own). */
    private static List<Event> awaitEvents(String pod, String syscall, Predicate<List<Event>> done) throws Exception {
        return agent.awaitEvents("tenant-a", e -> pod.equals(e.getInvolvedObject().getName())
                && e.getReason().equals("UnsupportedSyscall") && e.getMessage().contains("\"" + syscall + "\""), done);
    }

    private static int countOf(List<Event> events) {
        return events.stream().mapToInt(e -> e.getCount() == null ? 0 : e.getCount()).sum();
    }

    @Test
    void aLoopOfOneUnsupportedSyscallBecomesOneEventWithTheCountOfAllItsCalls() throws Exception {
        agent.serve(PodEventRecorder.SERIES_INTERVAL);
        String uid = agent.cluster().webUid;
        // 60 events (more than the 50 new Events a stream may cause), standing for 1 + 59 * 2 calls,
        // interleaved with two of another syscall.
        List<SandboxEvent> events = new ArrayList<>();
        events.add(unsupported("web-0", uid, "syscall_333", 0));
        for (int i = 1; i < 60; i++) {
            events.add(unsupported("web-0", uid, "syscall_333", 2));
            if (i % 20 == 0) events.add(unsupported("web-0", uid, "io_uring_setup", 1));
        }
        EventSummary summary = agent.send(events);
        assertThat(summary.getAccepted()).isEqualTo(62);
        assertThat(summary.getRecorded()).as("new Events written").isEqualTo(2);

        List<Event> loop = awaitEvents("web-0", "syscall_333", e -> countOf(e) == 119);
        assertThat(loop).as("one Event for the whole loop").hasSize(1);
        assertThat(loop.getFirst().getCount()).as("the calls it stands for").isEqualTo(119);
        assertThat(loop.getFirst().getType()).isEqualTo("Warning");
        assertThat(loop.getFirst().getInvolvedObject().getUid()).isEqualTo(uid);
        assertThat(loop.getFirst().getLastTimestamp()).isGreaterThanOrEqualTo(loop.getFirst().getFirstTimestamp());
        List<Event> other = awaitEvents("web-0", "io_uring_setup", e -> countOf(e) == 2);
        assertThat(other).hasSize(1);
        assertThat(other.getFirst().getCount()).isEqualTo(2);

        // The counters are exact, whatever the aggregation did.
        agent.awaitMetric("jvisor_node_agent_pod_events_recorded_total 2");
        assertThat(agent.metrics().prometheus())
                .contains("jvisor_node_agent_sandbox_events_total{kind=\"unsupported_syscall\"} 62")
                .contains("jvisor_node_agent_syscalls_unsupported_total{syscall=\"syscall_333\"} 119")
                .contains("jvisor_node_agent_syscalls_unsupported_total{syscall=\"io_uring_setup\"} 2")
                .contains("jvisor_node_agent_pod_events_recorded_total 2")
                .contains("jvisor_node_agent_pod_events_folded_total 60")
                .contains("jvisor_node_agent_pod_events_failed_total 0");
    }

    @Test
    void theSameSyscallStartsANewEventAfterTheIntervalAndEachPodHasItsOwn() throws Exception {
        Duration interval = Duration.ofMillis(500);
        agent.serve(interval);
        agent.send(List.of(unsupported("web-0", agent.cluster().webUid, "syscall_334", 1),
                unsupported("web-0", agent.cluster().webUid, "syscall_334", 4)));
        agent.send(List.of(unsupported("db-0", agent.cluster().dbUid, "syscall_334", 1)));
        assertThat(awaitEvents("web-0", "syscall_334", e -> countOf(e) == 5)).hasSize(1);
        assertThat(awaitEvents("db-0", "syscall_334", e -> countOf(e) == 1)).as("another pod's own Event").hasSize(1);

        Thread.sleep(interval.toMillis() + 200);
        agent.send(List.of(unsupported("web-0", agent.cluster().webUid, "syscall_334", 7)));
        List<Event> web = awaitEvents("web-0", "syscall_334", e -> e.size() == 2);
        assertThat(web).as("a new Event once the interval is over").hasSize(2)
                .extracting(Event::getCount).containsExactlyInAnyOrder(5, 7);
        agent.awaitMetric("jvisor_node_agent_pod_events_recorded_total 3");
        assertThat(agent.metrics().prometheus())
                .contains("jvisor_node_agent_syscalls_unsupported_total{syscall=\"syscall_334\"} 13")
                .contains("jvisor_node_agent_pod_events_recorded_total 3");
    }

    @Test
    void otherKindsAreNotAggregated() throws Exception {
        agent.serve(PodEventRecorder.SERIES_INTERVAL);
        SandboxEvent oom = SandboxEvent.newBuilder().setPod(PodIdentity.newBuilder().setNamespace("tenant-a")
                .setName("db-0").setUid(agent.cluster().dbUid)).setSandboxId("sb-9").setKind(EventKind.OOM)
                .setDetail("series-test").build();
        EventSummary summary = agent.send(List.of(oom, oom));
        assertThat(summary.getRecorded()).isEqualTo(2);
        List<Event> ooms = agent.awaitEvents("tenant-a",
                e -> e.getReason().equals("SandboxOOM") && e.getMessage().contains("series-test"), e -> e.size() >= 2);
        assertThat(ooms).hasSize(2).allSatisfy(e -> assertThat(e.getCount()).isEqualTo(1));
    }
}
