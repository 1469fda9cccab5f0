package dev.jvisor.nodeagent.policy;

import dev.jvisor.node.v1.EventKind;
import dev.jvisor.node.v1.EventSummary;
import dev.jvisor.node.v1.PodIdentity;
import dev.jvisor.node.v1.SandboxEvent;
import dev.jvisor.node.v1.SandboxPolicyServiceGrpc;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The node agent's event path as the event tests drive it: {@link PolicyCluster} in the CRUD mock
 * API server with a synced view of it (made once per test class), and per test a fresh agent
 * (metrics, Event recorder, the gRPC service on a real unix socket), so that each test's counters
 * are its own. Tests stream SandboxEvents to the agent and read the pods' Events back.
 */
final class EventAgentFixture implements AutoCloseable {
    final PolicyCluster cluster;
    private final KubernetesClient client;
    private final KubernetesClusterView view;
    private final Path socket;
    private SandboxMetrics metrics;
    private PodEventRecorder recorder;
    private PolicySocketServer server;

    private EventAgentFixture(KubernetesClient client, Path socket) throws Exception {
        this.client = client;
        this.socket = socket;
        this.cluster = PolicyCluster.create(client);
        this.view = PolicyCluster.syncedView(client);
    }

    /** The cluster and its view; the agents will listen on {@code dir/policy.sock}. */
    static EventAgentFixture create(KubernetesClient client, Path dir) throws Exception {
        return new EventAgentFixture(client, dir.resolve("policy.sock"));
    }

    /** Starts this test's agent, whose recorder folds repeated events within {@code interval}. */
    void serve(Duration interval) throws Exception {
        metrics = new SandboxMetrics();
        recorder = new PodEventRecorder(client, "node-1", metrics, interval);
        server = PolicySocketServer.start(socket, OptionalInt.empty(),
                new SandboxPolicyGrpcService(view, metrics, Optional.of(recorder)));
    }

    /** The running agent's counters. */
    SandboxMetrics metrics() {
        return metrics;
    }

    /** Stops this test's agent, if one was started. */
    void stopAgent() {
        if (server != null) server.close();
        if (recorder != null) recorder.close();
        server = null;
        recorder = null;
    }

    /** Stops the agent and the cluster view. */
    @Override
    public void close() {
        stopAgent();
        view.close();
    }

    /** A SandboxEvent of {@code kind} from sandbox sb-1 about pod namespace/name with that uid, stamped now. */
    static SandboxEvent.Builder event(String namespace, String name, String uid, EventKind kind) {
        return SandboxEvent.newBuilder().setPod(PodIdentity.newBuilder().setNamespace(namespace).setName(name)
                .setUid(uid)).setSandboxId("sb-1").setKind(kind).setTimeUnixNanos(System.currentTimeMillis() * 1_000_000);
    }

    /** Streams {@code events} to the agent over a channel of its own and returns the summary it answers. */
    EventSummary send(List<SandboxEvent> events) throws Exception {
        try (AgentChannel agent = new AgentChannel(server.socket())) {
            CompletableFuture<EventSummary> summary = new CompletableFuture<>();
            StreamObserver<SandboxEvent> stream = SandboxPolicyServiceGrpc.newStub(agent.channel)
                    .streamEvents(new StreamObserver<>() {
                        @Override public void onNext(EventSummary s) { summary.complete(s); }
                        @Override public void onError(Throwable t) { summary.completeExceptionally(t); }
                        @Override public void onCompleted() { }
                    });
            events.forEach(stream::onNext);
            stream.onCompleted();
            return summary.get(10, TimeUnit.SECONDS);
        }
    }

    /** The Events in {@code namespace} that {@code which} picks. */
    List<Event> events(String namespace, Predicate<Event> which) {
        return client.v1().events().inNamespace(namespace).list().getItems().stream().filter(which).toList();
    }

    /**
     * Polls (up to 10 s) until the Events {@code which} picks satisfy {@code done}, and returns
     * them as they are then: the recorder writes asynchronously.
     */
    List<Event> awaitEvents(String namespace, Predicate<Event> which, Predicate<List<Event>> done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<Event> events = events(namespace, which);
        while (!done.test(events) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            events = events(namespace, which);
        }
        return events;
    }

    /** The Events on {@code pod}, once there are at least {@code atLeast} of them (or 10 s passed). */
    List<Event> eventsOn(String namespace, String pod, int atLeast) throws InterruptedException {
        return awaitEvents(namespace, e -> pod.equals(e.getInvolvedObject().getName()), events -> events.size() >= atLeast);
    }
}
