package dev.jvisor.runsc.policy.grpc;

import dev.jvisor.runsc.policy.PodIdentity;
import dev.jvisor.runsc.policy.PolicyClient;
import dev.jvisor.runsc.policy.PolicyDecision;
import dev.jvisor.runsc.policy.PolicyUnavailableException;

import dev.jvisor.node.v1.GetSandboxPolicyRequest;
import dev.jvisor.node.v1.RequestedSettings;
import dev.jvisor.node.v1.SandboxPolicyDecision;
import dev.jvisor.node.v1.SandboxPolicyServiceGrpc;
import dev.jvisor.node.v1.SandboxSettings;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@link PolicyClient} over gRPC on the agent's unix socket. Loaded only by
 * {@link dev.jvisor.runsc.policy.PodPolicy} when a policy socket is configured; in the
 * distribution through {@link dev.jvisor.runsc.policy.PolicyJars}, as gRPC is not on runsc's
 * class path.
 */
public final class GrpcPolicyClient implements PolicyClient {

    /** Answers are a few hundred bytes; anything near this is not the agent talking. */
    public static final int MAX_ANSWER_BYTES = 64 << 10;
    /** Raw annotations sent for the agent's audit log; the typed fields are what it decides on. */
    public static final int MAX_RAW_ANNOTATIONS = 32;
    public static final int MAX_RAW_KEY = 128;
    public static final int MAX_RAW_VALUE = 1024;

    private static final String PREFIX = "jvisor.dev/";

    /**
     * Held so the level sticks (the logging framework keeps loggers weakly). create's stderr is
     * the container's: gRPC's and netty's own log lines must not end up in the pod's logs. Every
     * failure reaches runsc as an exception and goes to --log from there.
     */
    private static final java.util.logging.Logger[] QUIET = {
        java.util.logging.Logger.getLogger("io.grpc"),
    };

    static {
        // Netty's sun.misc.Unsafe fast paths buy nothing for one call and make JDK 25 print
        // warnings on stderr.
        System.setProperty("io.grpc.netty.shaded.io.netty.noUnsafe", "true");
        for (java.util.logging.Logger l : QUIET) l.setLevel(java.util.logging.Level.OFF);
    }

    private final Path socket;
    private final Duration timeout;
    private final EpollEventLoopGroup group;
    private final ManagedChannel channel;

    private GrpcPolicyClient(Path socket, Duration timeout) {
        this.socket = socket;
        this.timeout = timeout;
        this.group = new EpollEventLoopGroup(1);
        this.channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .eventLoopGroup(group)
                .channelType(EpollDomainSocketChannel.class)
                .usePlaintext()
                .maxInboundMessageSize(MAX_ANSWER_BYTES)
                .maxInboundMetadataSize(8 << 10)
                .build();
    }

    /** A client of the agent at {@code socket}; each lookup fails after {@code timeout}. */
    public static PolicyClient open(Path socket, Duration timeout) {
        return new GrpcPolicyClient(socket, timeout);
    }

    @Override
    public PolicyDecision lookup(PodIdentity pod, String sandboxId, Map<String, String> annotations)
            throws PolicyUnavailableException {
        GetSandboxPolicyRequest request = GetSandboxPolicyRequest.newBuilder()
                .setPod(dev.jvisor.node.v1.PodIdentity.newBuilder()
                        .setNamespace(pod.namespace()).setName(pod.name()).setUid(pod.uid()))
                .setRequested(requested(annotations))
                .setSandboxId(sandboxId)
                .build();
        SandboxPolicyDecision answer;
        try {
            answer = SandboxPolicyServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .getSandboxPolicy(request);
        } catch (StatusRuntimeException e) {
            Status.Code code = e.getStatus().getCode();
            if (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED
                    || code == Status.Code.CANCELLED || code == Status.Code.UNKNOWN) {
                throw new PolicyUnavailableException(describe(e), e);
            }
            // The agent answered, with a refusal of the request itself (a bad field, a message too
            // large): that is its word on this pod, never a reason to fall back to failing open.
            return denied("the node agent refused the request: " + describe(e));
        }
        return decision(answer);
    }

    private String describe(StatusRuntimeException e) {
        Status s = e.getStatus();
        String detail = s.getDescription() != null ? s.getDescription()
                : s.getCause() != null ? String.valueOf(s.getCause().getMessage()) : "";
        return s.getCode() + (detail.isEmpty() ? "" : ": " + detail) + " (" + socket + ", timeout "
                + timeout.toMillis() + " ms)";
    }

    /** The typed requests and a bounded copy of the raw annotations, as sent to the agent. */
    public static RequestedSettings requested(Map<String, String> annotations) {
        RequestedSettings.Builder b = RequestedSettings.newBuilder();
        String network = annotations.get(PREFIX + "network");
        if (network != null) b.setNetwork(network);
        String fileAccess = annotations.get(PREFIX + "file-access");
        if (fileAccess != null) b.setFileAccess(fileAccess);
        String overlay = annotations.get(PREFIX + "overlay");
        if (overlay != null) b.setRootOverlay(overlay);
        annotations.entrySet().stream()
                .filter(e -> e.getKey().startsWith(PREFIX))
                .filter(e -> e.getKey().length() <= MAX_RAW_KEY && e.getValue().length() <= MAX_RAW_VALUE)
                .sorted(Map.Entry.comparingByKey())
                .limit(MAX_RAW_ANNOTATIONS)
                .forEach(e -> b.putAnnotations(e.getKey(), e.getValue()));
        return b.build();
    }

    private static PolicyDecision decision(SandboxPolicyDecision d) {
        SandboxSettings s = d.getSettings();
        return new PolicyDecision(d.getAllowed(), d.getReason(), d.getPolicy(), d.getEnforcement(),
                present(s.getNetwork()), present(s.getFileAccess()), present(s.getRootOverlay()),
                s.hasSyscallDeny() ? s.getSyscallDeny().getNamesList() : List.of(),
                s.getTracePointsList(), d.getOverriddenList());
    }

    private static PolicyDecision denied(String reason) {
        return new PolicyDecision(false, reason, "", "", Optional.empty(), Optional.empty(), Optional.empty(),
                List.of(), List.of(), List.of());
    }

    private static Optional<String> present(String value) {
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // No quiet period: nothing else will ever run on this loop.
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
