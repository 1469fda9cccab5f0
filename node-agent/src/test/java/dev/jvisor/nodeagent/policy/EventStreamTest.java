package dev.jvisor.nodeagent.policy;

import static dev.jvisor.nodeagent.policy.EventAgentFixture.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.node.v1.EventKind;
import dev.jvisor.node.v1.EventSummary;
import dev.jvisor.node.v1.PodIdentity;
import dev.jvisor.node.v1.SandboxEvent;
import dev.jvisor.nodeagent.status.AgentStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** StreamEvents over the real unix socket: counted into metrics, notable ones written as Events on the pod. */
@EnableKubernetesMockClient(crud = true)
class EventStreamTest {

    static KubernetesClient client;

    @RegisterExtension
    static final EventAgentFixture agent = new EventAgentFixture(() -> client).servingEachTest(PodEventRecorder.SERIES_INTERVAL);

    @Test
    void eventsAreCountedAndTheNotableOnesBecomePodEvents() throws Exception {
        String uid = agent.cluster().webUid;
        EventSummary summary = agent.send(List.of(
                event("tenant-a", "web-0", uid, EventKind.SANDBOX_STARTED).build(),
                event("tenant-a", "web-0", uid, EventKind.SYSCALL_DENIED).setSyscall("ptrace").build(),
                event("tenant-a", "web-0", uid, EventKind.SYSCALL_DENIED).setSyscall("ptrace").build(),
                event("tenant-a", "web-0", uid, EventKind.TRACE).setTracePoint("exec").setDetail("/bin/sh").build(),
                event("tenant-a", "web-0", uid, EventKind.OOM).build(),
                event("tenant-a", "web-0", uid, EventKind.SANDBOX_EXITED).setExitStatus(137).build(),
                // Malformed: no kind; and one about another pod on the same stream.
                event("tenant-a", "web-0", uid, EventKind.EVENT_KIND_UNSPECIFIED).build(),
                event("tenant-a", "db-0", agent.cluster().dbUid, EventKind.SANDBOX_STARTED).build()));
        assertThat(summary.getAccepted()).isEqualTo(6);
        assertThat(summary.getRejected()).isEqualTo(2);
        assertThat(summary.getRecorded()).isEqualTo(5);

        List<Event> events = agent.eventsOn("tenant-a", "web-0", 5);
        assertThat(events).extracting(Event::getReason).containsExactlyInAnyOrder(
                "SandboxStarted", "SyscallDenied", "SyscallDenied", "SandboxOOM", "SandboxExited");
        Event exited = events.stream().filter(e -> e.getReason().equals("SandboxExited")).findFirst().orElseThrow();
        assertThat(exited.getType()).isEqualTo("Warning");
        assertThat(exited.getMessage()).contains("status 137");
        assertThat(exited.getInvolvedObject().getUid()).isEqualTo(uid);
        assertThat(exited.getSource().getComponent()).isEqualTo("jvisor-node-agent");
        assertThat(exited.getSource().getHost()).isEqualTo("node-1");
        assertThat(agent.eventsOn("tenant-a", "db-0", 0)).isEmpty();

        agent.awaitMetric("jvisor_node_agent_pod_events_recorded_total 5");
        AgentStatus status = new AgentStatus("0.1.0", "jvisor");
        status.exportAlso(agent.metrics()::prometheus);
        String text = status.metrics();
        assertThat(text).contains("jvisor_node_agent_sandbox_events_total{kind=\"syscall_denied\"} 2")
                .contains("jvisor_node_agent_sandbox_events_total{kind=\"trace\"} 1")
                .contains("jvisor_node_agent_syscalls_denied_total{syscall=\"ptrace\"} 2")
                .contains("jvisor_node_agent_sandbox_events_rejected_total 2")
                .contains("jvisor_node_agent_pod_events_recorded_total 5")
                .contains("jvisor_node_agent_ready 0");
    }

    @Test
    void aFoldedRefusalCountsEveryCallItStandsFor() throws Exception {
        String uid = agent.cluster().webUid;
        EventSummary summary = agent.send(List.of(
                event("tenant-a", "web-0", uid, EventKind.SYSCALL_DENIED).setSyscall("ptrace").setCount(5000)
                        .setDetail("5000 calls").build(),
                event("tenant-a", "web-0", uid, EventKind.SYSCALL_DENIED).setSyscall("ptrace").build(),
                event("tenant-a", "web-0", uid, EventKind.SYSCALL_DENIED).setSyscall("ptrace").setCount(-7).build()));
        assertThat(summary.getAccepted()).isEqualTo(2);
        assertThat(summary.getRejected()).isEqualTo(1);
        assertThat(agent.metrics().prometheus())
                .contains("jvisor_node_agent_syscalls_denied_total{syscall=\"ptrace\"} 5001")
                .contains("jvisor_node_agent_sandbox_events_total{kind=\"syscall_denied\"} 2");
        // Other tests write Events on the same pod: wait for this one's.
        agent.awaitEvents("tenant-a", e -> "web-0".equals(e.getInvolvedObject().getName()),
                events -> events.stream().anyMatch(e -> e.getMessage().contains("5000 calls")));
        assertThat(agent.eventsOn("tenant-a", "web-0", 0)).extracting(Event::getMessage)
                .anySatisfy(m -> assertThat(m).contains("ptrace").contains("5000 calls"));
    }

    @Test
    void aSandboxCannotWriteEventsOntoAPodThatIsNotItsOwn() throws Exception {
        EventSummary summary = agent.send(List.of(
                event("tenant-a", "db-0", "00000000-dead-beef-0000-000000000000", EventKind.SYSCALL_DENIED)
                        .setSyscall("keyctl").build(),
                event("tenant-a", "ghost", agent.cluster().webUid, EventKind.OOM).build()));
        // Counted (the sandbox did report them), but no Event: the first names a uid the pod does not have.
        assertThat(summary.getAccepted()).isEqualTo(1);
        assertThat(summary.getRejected()).isEqualTo(1);
        assertThat(summary.getRecorded()).isZero();
        Thread.sleep(300);
        assertThat(agent.eventsOn("tenant-a", "db-0", 0)).isEmpty();
    }

    @Test
    void hostileFieldsAreRejectedAndLabelValuesStayBounded() throws Exception {
        String uid = agent.cluster().plainUid;
        EventSummary summary = agent.send(List.of(
                event("Not_A_Namespace", "app-0", uid, EventKind.SANDBOX_STARTED).build(),
                event("plain", "app-0", uid, EventKind.SYSCALL_DENIED).setSyscall("x\"} 1\nfake_metric{a=\"").build(),
                event("plain", "app-0", uid, EventKind.TRACE).setDetail("d".repeat(5000)).build(),
                SandboxEvent.newBuilder().setPod(PodIdentity.newBuilder().setNamespace("plain").setName("app-0")
                        .setUid(uid)).setKindValue(99).build()));
        assertThat(summary.getAccepted()).isEqualTo(1);
        assertThat(summary.getRejected()).isEqualTo(3);
        assertThat(agent.metrics().prometheus()).doesNotContain("fake_metric")
                .contains("jvisor_node_agent_syscalls_denied_total{syscall=\"other\"}");
    }
}
