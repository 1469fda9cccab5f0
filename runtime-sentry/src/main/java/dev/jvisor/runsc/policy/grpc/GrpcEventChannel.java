package dev.jvisor.runsc.policy.grpc;

import dev.jvisor.node.v1.EventKind;
import dev.jvisor.node.v1.EventSummary;
import dev.jvisor.node.v1.SandboxEvent;
import dev.jvisor.node.v1.SandboxPolicyServiceGrpc;
import dev.jvisor.runsc.policy.EventChannel;
import dev.jvisor.runsc.policy.MonitorEvent;
import dev.jvisor.runsc.policy.PodIdentity;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link EventChannel} over gRPC on the agent's unix socket: one channel for the sandbox's life,
 * one {@code StreamEvents} call per stream. Sending never buffers beyond gRPC's flow-control
 * window: the reporter sends only when {@link Stream#awaitReady} says the stream is ready.
 */
public final class GrpcEventChannel implements EventChannel {

    static {
        // As in GrpcPolicyClient: the boot process's stdio are the container's; no library
        // log line or JDK warning may reach them.
        System.setProperty("io.grpc.netty.shaded.io.netty.noUnsafe", "true");
    }

    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("io.grpc");

    private final dev.jvisor.node.v1.PodIdentity pod;
    private final String sandboxId;
    private final EpollEventLoopGroup group;
    private final ManagedChannel channel;

    private GrpcEventChannel(Path socket, PodIdentity pod, String sandboxId) {
        QUIET.setLevel(java.util.logging.Level.OFF);
        this.pod = dev.jvisor.node.v1.PodIdentity.newBuilder()
                .setNamespace(pod.namespace()).setName(pod.name()).setUid(pod.uid()).build();
        this.sandboxId = sandboxId;
        this.group = new EpollEventLoopGroup(1);
        this.channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .eventLoopGroup(group)
                .channelType(EpollDomainSocketChannel.class)
                .usePlaintext()
                .maxInboundMessageSize(GrpcPolicyClient.MAX_ANSWER_BYTES)
                .maxInboundMetadataSize(8 << 10)
                .build();
    }

    /** A channel to the agent at {@code socket} for the events of {@code pod}'s sandbox {@code sandboxId}. */
    public static EventChannel open(Path socket, PodIdentity pod, String sandboxId) {
        return new GrpcEventChannel(socket, pod, sandboxId);
    }

    @Override
    public Stream openStream() {
        CallStream s = new CallStream();
        SandboxPolicyServiceGrpc.newStub(channel).streamEvents(s);
        return s;
    }

    /** The proto event for {@code e} on this channel's stream. */
    SandboxEvent toProto(MonitorEvent e) {
        SandboxEvent.Builder b = SandboxEvent.newBuilder().setPod(pod).setSandboxId(sandboxId)
                .setKind(switch (e.kind()) {
                    case STARTED -> EventKind.SANDBOX_STARTED;
                    case EXITED -> EventKind.SANDBOX_EXITED;
                    case SYSCALL_DENIED -> EventKind.SYSCALL_DENIED;
                    case UNSUPPORTED_SYSCALL -> EventKind.UNSUPPORTED_SYSCALL;
                    case OOM -> EventKind.OOM;
                })
                .setTimeUnixNanos(e.timeUnixNanos())
                .setSyscall(e.syscall())
                .setCount(e.calls())
                .setExitStatus(e.exitStatus())
                .setSentryPid(e.sentryPid())
                .setDetail(e.detail());
        return b.build();
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** One call: readiness and failure come from gRPC's callbacks, the summary from its answer. */
    private final class CallStream implements Stream, ClientResponseObserver<SandboxEvent, EventSummary> {
        private final CompletableFuture<EventSummary> summary = new CompletableFuture<>();
        private ClientCallStreamObserver<SandboxEvent> call;
        private volatile boolean failed;

        @Override
        public void beforeStart(ClientCallStreamObserver<SandboxEvent> requests) {
            call = requests;
            requests.setOnReadyHandler(this::wake);
        }

        private synchronized void wake() {
            notifyAll();
        }

        @Override
        public synchronized boolean awaitReady(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!failed && !call.isReady()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return !failed;
        }

        @Override
        public boolean failed() {
            return failed;
        }

        @Override
        public void send(MonitorEvent event) {
            call.onNext(toProto(event));
        }

        @Override
        public Optional<Summary> finish(Duration timeout) throws InterruptedException {
            if (failed) return Optional.empty();
            call.onCompleted();
            try {
                EventSummary s = summary.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
                return Optional.of(new Summary(s.getAccepted(), s.getRejected()));
            } catch (ExecutionException | TimeoutException e) {
                return Optional.empty();
            }
        }

        @Override
        public void cancel() {
            call.cancel("the sandbox stopped reporting", null);
        }

        @Override
        public void onNext(EventSummary value) {
            summary.complete(value);
        }

        @Override
        public void onError(Throwable t) {
            failed = true;
            summary.completeExceptionally(t);
            wake();
        }

        @Override
        public void onCompleted() {
            summary.complete(EventSummary.getDefaultInstance());
        }
    }
}
