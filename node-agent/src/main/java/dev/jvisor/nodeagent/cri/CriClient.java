package dev.jvisor.nodeagent.cri;

import dev.jvisor.cri.v1.CriApi;
import dev.jvisor.cri.v1.RuntimeServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A CRI runtime-service client on containerd's unix socket, as kubelet talks to it. Each call has a
 * deadline, so a hung containerd shows up as {@link CriException.Reason#UNAVAILABLE}, never a hang.
 */
public final class CriClient implements AutoCloseable {

    /**
     * Netty warns on every unix-socket connection that TCP keep-alive does not apply to it; held
     * here so the level setting is not garbage-collected with the logger.
     */
    private static final Logger BOOTSTRAP_LOG = Logger.getLogger(
            "io.grpc.netty.shaded.io.netty.bootstrap");

    static {
        BOOTSTRAP_LOG.setLevel(Level.SEVERE);
    }

    private final EpollEventLoopGroup eventLoop;
    private final ManagedChannel channel;
    private final Duration callTimeout;

    public CriClient(Path socket, Duration callTimeout) {
        this.eventLoop = new EpollEventLoopGroup(1);
        this.channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .eventLoopGroup(eventLoop)
                .channelType(EpollDomainSocketChannel.class)
                .overrideAuthority("localhost")
                .usePlaintext()
                .build();
        this.callTimeout = callTimeout;
    }

    private RuntimeServiceGrpc.RuntimeServiceBlockingStub stub() {
        return RuntimeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(callTimeout.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    public CriApi.VersionResponse version() throws CriException {
        return call(() -> stub().version(CriApi.VersionRequest.newBuilder().setVersion("v1").build()));
    }

    public CriApi.StatusResponse status(boolean verbose) throws CriException {
        return call(() -> stub().status(CriApi.StatusRequest.newBuilder().setVerbose(verbose).build()));
    }

    public String runPodSandbox(CriApi.PodSandboxConfig config, String handler, Duration timeout)
            throws CriException {
        return call(() -> RuntimeServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .runPodSandbox(CriApi.RunPodSandboxRequest.newBuilder()
                        .setConfig(config).setRuntimeHandler(handler).build())
                .getPodSandboxId());
    }

    public CriApi.PodSandboxStatus podSandboxStatus(String id) throws CriException {
        return call(() -> stub().podSandboxStatus(
                CriApi.PodSandboxStatusRequest.newBuilder().setPodSandboxId(id).build()).getStatus());
    }

    public void stopPodSandbox(String id) throws CriException {
        call(() -> stub().stopPodSandbox(CriApi.StopPodSandboxRequest.newBuilder().setPodSandboxId(id).build()));
    }

    public void removePodSandbox(String id) throws CriException {
        call(() -> stub().removePodSandbox(CriApi.RemovePodSandboxRequest.newBuilder().setPodSandboxId(id).build()));
    }

    private interface Call<T> {
        T run();
    }

    private static <T> T call(Call<T> call) throws CriException {
        try {
            return call.run();
        } catch (StatusRuntimeException e) {
            CriException.Reason reason = switch (e.getStatus().getCode()) {
                case UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED -> CriException.Reason.UNAVAILABLE;
                // containerd answers but its CRI plugin did not load (often: a config it rejected).
                case UNIMPLEMENTED -> CriException.Reason.RUNTIME_NOT_READY;
                default -> CriException.Reason.PROBE_FAILED;
            };
            throw new CriException(reason,
                    "CRI call answered " + e.getStatus().getCode() + " (" + e.getStatus().getDescription() + ")", e);
        }
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
