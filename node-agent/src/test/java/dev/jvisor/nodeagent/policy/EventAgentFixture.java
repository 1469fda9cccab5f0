package dev.jvisor.nodeagent.policy;

import dev.jvisor.node.v1.EventKind;
import dev.jvisor.node.v1.EventSummary;
import dev.jvisor.node.v1.PodIdentity;
import dev.jvisor.node.v1.SandboxEvent;
import dev.jvisor.node.v1.SandboxPolicyServiceGrpc;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The node agent's event path as the event tests drive it, registered as a static
 * {@code @RegisterExtension} field of a class that also has {@code @EnableKubernetesMockClient}:
 * per class, {@link PolicyCluster} in the CRUD mock API server with a synced view of it; per test,
 * a fresh agent (metrics, Event recorder, the gRPC service on a real unix socket), so that each
 * test's counters are its own. Tests stream SandboxEvents to the agent and read the pods' Events
 * back.
 */
final class EventAgentFixture implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    private final Supplier<KubernetesClient> mockClient;
    private Duration eachTestsInterval;
    private PolicyCluster cluster;
    private KubernetesClient client;
    private KubernetesClusterView view;
    private Path dir;
    private SandboxMetrics metrics;
    private PodEventRecorder recorder;
    private PolicySocketServer server;

    /**
     * @param mockClient the test class's injected mock client; read in beforeAll, after the mock
     *                   server's own extension (registered first, by the class annotation) has set it
     */
    EventAgentFixture(Supplier<KubernetesClient> mockClient) {
        this.mockClient = mockClient;
    }

    /** Starts an agent before each test, with this series interval; otherwise each test calls {@link #serve}. */
    EventAgentFixture servingEachTest(Duration interval) {
        this.eachTestsInterval = interval;
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        client = mockClient.get();
        cluster = PolicyCluster.create(client);
        view = PolicyCluster.syncedView(client);
        dir = Files.createTempDirectory("jvisor-events");
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (eachTestsInterval != null) serve(eachTestsInterval);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (server != null) server.close();
        if (recorder != null) recorder.close();
        server = null;
        recorder = null;
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        view.close();
        try (Stream<Path> left = Files.walk(dir)) {
            for (Path p : left.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** Starts this test's agent, whose recorder folds repeated events within {@code interval}. */
    void serve(Duration interval) throws Exception {
        metrics = new SandboxMetrics();
        recorder = new PodEventRecorder(client, "node-1", metrics, interval);
        server = PolicySocketServer.start(dir.resolve("policy.sock"), OptionalInt.empty(),
                new SandboxPolicyGrpcService(view, metrics, Optional.of(recorder)));
    }

    /** The pods and their uids. */
    PolicyCluster cluster() {
        return cluster;
    }

    /** The running agent's counters. */
    SandboxMetrics metrics() {
        return metrics;
    }

    /**
     * Waits (up to 10 s) until the agent's Prometheus text has {@code line}. The recorder counts
     * an Event only once the API server has answered its create, so a test that already sees the
     * Event may still find the counter one short.
     */
    void awaitMetric(String line) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!metrics.prometheus().contains(line) && System.nanoTime() < deadline) Thread.sleep(20);
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
