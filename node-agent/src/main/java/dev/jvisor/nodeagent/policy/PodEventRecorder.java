package dev.jvisor.nodeagent.policy;

import dev.jvisor.nodeagent.AgentLog;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Writes Kubernetes Events (core/v1) on pods, off the gRPC threads: one writer thread and a
 * bounded queue, so a burst of sandbox events neither blocks the sandboxes nor floods the API
 * server; what does not fit is counted as failed.
 *
 * <p>Events of a series ({@link PodEvent#series()}: one pod, one reason, one syscall) are
 * aggregated as Kubernetes aggregates its own repeated Events: the first of an interval creates
 * an Event, the others of that interval add to its {@code count} and move its
 * {@code lastTimestamp}, and a burst of them costs one update, not one per event. After the
 * interval (counted from the Event's first occurrence) the next one starts a new Event.
 */
public final class PodEventRecorder implements AutoCloseable {

    static final String COMPONENT = "jvisor-node-agent";
    static final int QUEUE = 256;
    /** Kubernetes' own event aggregation window (client-go's EventCorrelator) is ten minutes too. */
    public static final Duration SERIES_INTERVAL = Duration.ofMinutes(10);
    /** Series remembered at once; beyond this (an unusual number of pods and syscalls) events are dropped as failed. */
    static final int MAX_SERIES = 4096;

    /** What became of an event handed to {@link #record}. */
    enum Outcome {
        /** A new Event was queued for writing. */
        QUEUED,
        /** Added to the count of the Event its series already has in this interval. */
        FOLDED,
        /** Not written: the queue or the series table is full, or a new Event was not allowed. */
        DROPPED
    }

    private record SeriesKey(String podUid, String reason, String syscall) {}

    /** One series' Event in its interval. */
    private static final class Series {
        final Instant first;
        final String namespace;
        /** The Event's name once created, null if the create failed; set and read by the writer thread. */
        volatile String name;
        /** The count the Event has on the API server; the writer thread's alone. */
        long written;
        /** Occurrences folded in since the last update, and whether an update is queued: guarded by {@code series}. */
        long pending;
        boolean updateQueued;

        Series(Instant first, String namespace, long calls) {
            this.first = first;
            this.namespace = namespace;
            this.written = calls;
        }
    }

    private final KubernetesClient client;
    private final String node;
    private final SandboxMetrics metrics;
    private final Duration interval;
    private final ThreadPoolExecutor writer;
    private final Map<SeriesKey, Series> series = new HashMap<>();

    public PodEventRecorder(KubernetesClient client, String node, SandboxMetrics metrics) {
        this(client, node, metrics, SERIES_INTERVAL);
    }

    /** @param interval how long one Event of a series collects further occurrences */
    public PodEventRecorder(KubernetesClient client, String node, SandboxMetrics metrics, Duration interval) {
        this.client = client;
        this.node = node;
        this.metrics = metrics;
        this.interval = interval;
        this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE),
                r -> {
                    Thread t = new Thread(r, "pod-events");
                    t.setDaemon(true);
                    return t;
                });
    }

    /**
     * Records {@code event} on {@code pod}: as a new Event (only when {@code mayCreate}: the
     * caller's cap), or folded into its series' Event of this interval (always, so the count
     * stays true however many the sandbox sends).
     */
    Outcome record(Pod pod, PodEvent event, boolean mayCreate) {
        if (event.series().isEmpty()) {
            return mayCreate && queue(() -> create(newEvent(pod, event))) ? Outcome.QUEUED : Outcome.DROPPED;
        }
        SeriesKey key = new SeriesKey(pod.getMetadata().getUid(), event.reason(), event.series().get());
        Instant now = Instant.now();
        synchronized (series) {
            Series current = series.get(key);
            if (current != null && now.isBefore(current.first.plus(interval))) {
                current.pending += event.calls();
                metrics.podEventFolded();
                if (!current.updateQueued) {
                    current.updateQueued = queue(() -> update(current));
                }
                // Not yet queued (queue full): the pending calls go with the series' next update.
                return Outcome.FOLDED;
            }
            if (!mayCreate) return Outcome.DROPPED;
            series.values().removeIf(s -> !now.isBefore(s.first.plus(interval)));
            if (series.size() >= MAX_SERIES) {
                metrics.podEventFailed();
                return Outcome.DROPPED;
            }
            Series fresh = new Series(now, pod.getMetadata().getNamespace(), event.calls());
            Event created = newEvent(pod, event);
            created.setCount(Math.toIntExact(Math.min(Integer.MAX_VALUE, event.calls())));
            if (!queue(() -> fresh.name = create(created))) return Outcome.DROPPED;
            series.put(key, fresh);
            return Outcome.QUEUED;
        }
    }

    private boolean queue(Runnable write) {
        try {
            writer.execute(write);
            return true;
        } catch (RejectedExecutionException e) {
            metrics.podEventFailed();
            return false;
        }
    }

    private Event newEvent(Pod pod, PodEvent event) {
        return new EventBuilder()
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
                .withReason(event.reason())
                .withMessage(event.message())
                .withType(event.warning() ? "Warning" : "Normal")
                .withCount(1)
                .withFirstTimestamp(now()).withLastTimestamp(now())
                .withNewSource().withComponent(COMPONENT).withHost(node).endSource()
                .withReportingComponent(COMPONENT).withReportingInstance(node)
                .build();
    }

    /** On the writer thread, after its series' create: adds what was folded since the last update. */
    private void update(Series s) {
        long add;
        synchronized (series) {
            add = s.pending;
            s.pending = 0;
            s.updateQueued = false;
        }
        if (add == 0 || s.name == null) {
            // The create failed: there is no Event to add to (the failure is already counted).
            return;
        }
        long total = s.written + add;
        try {
            client.v1().events().inNamespace(s.namespace).withName(s.name).edit(e -> {
                e.setCount(Math.toIntExact(Math.min(Integer.MAX_VALUE, total)));
                e.setLastTimestamp(now());
                return e;
            });
            s.written = total;
        } catch (KubernetesClientException e) {
            metrics.podEventFailed();
            AgentLog.warn("cannot update pod event", "event", s.namespace + "/" + s.name, "error", e.getMessage());
        }
    }

    /** Creates {@code event}; returns its name, or null when it could not be written. */
    private String create(Event event) {
        try {
            client.v1().events().inNamespace(event.getMetadata().getNamespace()).resource(event).create();
            metrics.podEventRecorded();
            return event.getMetadata().getName();
        } catch (KubernetesClientException e) {
            metrics.podEventFailed();
            AgentLog.warn("cannot record pod event", "pod", event.getInvolvedObject().getNamespace() + "/"
                    + event.getInvolvedObject().getName(), "reason", event.getReason(), "error", e.getMessage());
            return null;
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
