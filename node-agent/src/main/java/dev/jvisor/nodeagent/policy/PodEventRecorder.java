package dev.jvisor.nodeagent.policy;

import dev.jvisor.nodeagent.AgentLog;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Writes Kubernetes Events (core/v1) on pods, off the gRPC threads: one writer thread and a
 * bounded queue, so a burst of sandbox events neither blocks the sandboxes nor floods the API
 * server; what does not fit is counted as failed.
 */
public final class PodEventRecorder implements AutoCloseable {

    static final String COMPONENT = "jvisor-node-agent";
    static final int QUEUE = 256;

    private final KubernetesClient client;
    private final String node;
    private final SandboxMetrics metrics;
    private final ThreadPoolExecutor writer;

    public PodEventRecorder(KubernetesClient client, String node, SandboxMetrics metrics) {
        this.client = client;
        this.node = node;
        this.metrics = metrics;
        this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE),
                r -> {
                    Thread t = new Thread(r, "pod-events");
                    t.setDaemon(true);
                    return t;
                });
    }

    /** Queues an Event on {@code pod}; false when the queue is full. */
    boolean record(Pod pod, String reason, String message, boolean warning) {
        Event event = new EventBuilder()
                .withNewMetadata()
                .withNamespace(pod.getMetadata().getNamespace())
                .withName(pod.getMetadata().getName() + "." + UUID.randomUUID().toString().replace("-", "")
                        .substring(0, 16).toLowerCase(Locale.ROOT))
                .endMetadata()
                .withNewInvolvedObject()
                .withApiVersion("v1").withKind("Pod")
                .withNamespace(pod.getMetadata().getNamespace())
                .withName(pod.getMetadata().getName())
                .withUid(pod.getMetadata().getUid())
                .endInvolvedObject()
                .withReason(reason)
                .withMessage(message)
                .withType(warning ? "Warning" : "Normal")
                .withCount(1)
                .withFirstTimestamp(now()).withLastTimestamp(now())
                .withNewSource().withComponent(COMPONENT).withHost(node).endSource()
                .withReportingComponent(COMPONENT).withReportingInstance(node)
                .build();
        try {
            writer.execute(() -> write(event));
            return true;
        } catch (RejectedExecutionException e) {
            metrics.podEventFailed();
            return false;
        }
    }

    private void write(Event event) {
        try {
            client.v1().events().inNamespace(event.getMetadata().getNamespace()).resource(event).create();
            metrics.podEventRecorded();
        } catch (KubernetesClientException e) {
            metrics.podEventFailed();
            AgentLog.warn("cannot record pod event", "pod", event.getInvolvedObject().getNamespace() + "/"
                    + event.getInvolvedObject().getName(), "reason", event.getReason(), "error", e.getMessage());
        }
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** Writes what is queued (for up to five seconds), then stops. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writer.shutdownNow();
    }
}
