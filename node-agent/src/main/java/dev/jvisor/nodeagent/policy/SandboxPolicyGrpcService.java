package dev.jvisor.nodeagent.policy;

import dev.jvisor.node.v1.EventKind;
import dev.jvisor.node.v1.EventSummary;
import dev.jvisor.node.v1.GetSandboxPolicyRequest;
import dev.jvisor.node.v1.PodIdentity;
import dev.jvisor.node.v1.SandboxEvent;
import dev.jvisor.node.v1.SandboxPolicyDecision;
import dev.jvisor.node.v1.SandboxPolicyServiceGrpc;
import dev.jvisor.nodeagent.AgentLog;
import io.fabric8.kubernetes.api.model.Pod;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Optional;

/**
 * The agent's implementation of {@code jvisor.node.v1.SandboxPolicyService}. A bad request is
 * INVALID_ARGUMENT (runsc refuses the pod); an API server the agent cannot reach is UNAVAILABLE
 * (runsc's fail-open setting decides).
 */
public final class SandboxPolicyGrpcService extends SandboxPolicyServiceGrpc.SandboxPolicyServiceImplBase {

    /** Events one stream may send; a sandbox that needs more opens another stream. */
    static final int MAX_EVENTS_PER_STREAM = 100_000;
    /** Kubernetes Events one stream may cause: enough for a sandbox's life story, not a flood. */
    static final int MAX_POD_EVENTS_PER_STREAM = 50;
    static final int MAX_DETAIL = 1024;
    /** A sandbox folds at most a second's refusals into one event; more than this is not a count. */
    static final long MAX_CALLS_PER_EVENT = 1L << 40;

    private final PolicyDecider decider;
    private final ClusterView cluster;
    private final SandboxMetrics metrics;
    private final Optional<PodEventRecorder> recorder;

    public SandboxPolicyGrpcService(ClusterView cluster, SandboxMetrics metrics, Optional<PodEventRecorder> recorder) {
        this.decider = new PolicyDecider(cluster);
        this.cluster = cluster;
        this.metrics = metrics;
        this.recorder = recorder;
    }

    @Override
    public void getSandboxPolicy(GetSandboxPolicyRequest request, StreamObserver<SandboxPolicyDecision> out) {
        String pod = RequestChecks.quote(request.getPod().getNamespace()) + "/"
                + RequestChecks.quote(request.getPod().getName());
        try {
            SandboxPolicyDecision decision = decider.decide(request);
            metrics.decision(decision.getAllowed() ? "allowed" : "denied");
            AgentLog.info(decision.getAllowed() ? "pod allowed" : "pod denied", "pod", pod,
                    "sandbox", RequestChecks.quote(request.getSandboxId()), "policy", decision.getPolicy(),
                    "reason", decision.getReason(), "overridden", String.join(",", decision.getOverriddenList()));
            out.onNext(decision);
            out.onCompleted();
        } catch (InvalidRequestException e) {
            metrics.decision("invalid");
            AgentLog.warn("invalid policy request", "pod", pod, "error", e.getMessage());
            out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
        } catch (ClusterViewException e) {
            metrics.decision("unavailable");
            AgentLog.warn("cannot decide pod policy", "pod", pod, "error", e.getMessage());
            out.onError(Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException());
        }
    }

    @Override
    public StreamObserver<SandboxEvent> streamEvents(StreamObserver<EventSummary> out) {
        metrics.stream();
        return new EventStream(out);
    }

    /**
     * One sandbox's stream. Its first well-formed event names the pod; events naming another pod
     * are dropped (a sandbox reports on itself only). Kubernetes Events are written only once the
     * pod has been found with that uid, so a sandbox cannot write Events onto pods of others.
     */
    private final class EventStream implements StreamObserver<SandboxEvent> {
        private final StreamObserver<EventSummary> out;
        private PodIdentity pod;
        private Optional<Pod> podObject;
        private long accepted;
        private long rejected;
        private long recorded;

        EventStream(StreamObserver<EventSummary> out) {
            this.out = out;
        }

        @Override
        public void onNext(SandboxEvent event) {
            if (accepted + rejected >= MAX_EVENTS_PER_STREAM || !wellFormed(event)
                    || (pod != null && !pod.equals(event.getPod()))) {
                rejected++;
                metrics.rejected();
                return;
            }
            if (pod == null) {
                pod = event.getPod();
                podObject = lookUp(pod);
            }
            accepted++;
            metrics.event(event.getKind(), event.getSyscall(), event.getCount());
            if (podObject.isPresent() && recorder.isPresent()) {
                Optional<PodEvent> podEvent = PodEvent.of(event);
                // The cap bounds new Events; folding into a series' Event keeps its count true past it.
                if (podEvent.isPresent() && recorder.get().record(podObject.get(), podEvent.get(),
                        recorded < MAX_POD_EVENTS_PER_STREAM) == PodEventRecorder.Outcome.QUEUED) {
                    recorded++;
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            // The sandbox went away mid-stream; what it sent is already counted.
        }

        @Override
        public void onCompleted() {
            out.onNext(EventSummary.newBuilder().setAccepted(accepted).setRejected(rejected).setRecorded(recorded)
                    .build());
            out.onCompleted();
        }

        private boolean wellFormed(SandboxEvent e) {
            try {
                RequestChecks.namespace(e.getPod().getNamespace());
                RequestChecks.podName(e.getPod().getName());
                RequestChecks.uid(e.getPod().getUid());
            } catch (InvalidRequestException ex) {
                return false;
            }
            return e.getKind() != EventKind.EVENT_KIND_UNSPECIFIED && e.getKind() != EventKind.UNRECOGNIZED
                    && e.getDetail().length() <= MAX_DETAIL && e.getCount() >= 0 && e.getCount() <= MAX_CALLS_PER_EVENT && e.getTracePoint().length() <= 32
                    && e.getSyscall().length() <= 64 && e.getSandboxId().length() <= RequestChecks.MAX_SANDBOX_ID;
        }

        private Optional<Pod> lookUp(PodIdentity id) {
            try {
                return cluster.pod(id.getNamespace(), id.getName())
                        .filter(p -> id.getUid().equals(p.getMetadata().getUid()));
            } catch (ClusterViewException e) {
                AgentLog.warn("cannot find the pod of an event stream; counting its events only",
                        "pod", id.getNamespace() + "/" + id.getName(), "error", e.getMessage());
                return Optional.empty();
            }
        }
    }
}
