package dev.jvisor.kindtests.cri;

import dev.jvisor.cri.v1.CriApi.Container;
import dev.jvisor.cri.v1.CriApi.ContainerConfig;
import dev.jvisor.cri.v1.CriApi.ContainerFilter;
import dev.jvisor.cri.v1.CriApi.ContainerStatusRequest;
import dev.jvisor.cri.v1.CriApi.ContainerStatusResponse;
import dev.jvisor.cri.v1.CriApi.CreateContainerRequest;
import dev.jvisor.cri.v1.CriApi.ExecSyncRequest;
import dev.jvisor.cri.v1.CriApi.ExecSyncResponse;
import dev.jvisor.cri.v1.CriApi.Image;
import dev.jvisor.cri.v1.ImageServiceGrpc;
import dev.jvisor.cri.v1.CriApi.ImageSpec;
import dev.jvisor.cri.v1.CriApi.ImageStatusRequest;
import dev.jvisor.cri.v1.CriApi.ImageStatusResponse;
import dev.jvisor.cri.v1.CriApi.ListContainersRequest;
import dev.jvisor.cri.v1.CriApi.ListImagesRequest;
import dev.jvisor.cri.v1.CriApi.ListPodSandboxRequest;
import dev.jvisor.cri.v1.CriApi.PodSandbox;
import dev.jvisor.cri.v1.CriApi.PodSandboxConfig;
import dev.jvisor.cri.v1.CriApi.PodSandboxFilter;
import dev.jvisor.cri.v1.CriApi.PodSandboxStatusRequest;
import dev.jvisor.cri.v1.CriApi.PodSandboxStatusResponse;
import dev.jvisor.cri.v1.CriApi.RemoveContainerRequest;
import dev.jvisor.cri.v1.CriApi.RemovePodSandboxRequest;
import dev.jvisor.cri.v1.CriApi.RunPodSandboxRequest;
import dev.jvisor.cri.v1.RuntimeServiceGrpc;
import dev.jvisor.cri.v1.CriApi.StartContainerRequest;
import dev.jvisor.cri.v1.CriApi.StatusRequest;
import dev.jvisor.cri.v1.CriApi.StatusResponse;
import dev.jvisor.cri.v1.CriApi.StopContainerRequest;
import dev.jvisor.cri.v1.CriApi.StopPodSandboxRequest;
import dev.jvisor.cri.v1.CriApi.VersionRequest;
import dev.jvisor.cri.v1.CriApi.VersionResponse;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Kubelet's side of CRI v1 over a runtime's unix socket (containerd's {@code grpc.address}). Each
 * call has a deadline: {@code callTimeout}, plus the call's own wait where it has one (the grace
 * period of StopContainer, the timeout of ExecSync). A failed call throws
 * {@link CriCallException}. Verbose status calls are verbose so that containerd includes its
 * {@code info} (the init pid among it).
 */
public final class CriClient implements AutoCloseable {
    /** The CRI version kubelet announces in Version; containerd answers with its own. */
    public static final String KUBELET_API_VERSION = "v1";

    private final EventLoopGroup eventLoop;
    private final ManagedChannel channel;
    private final Duration callTimeout;

    private CriClient(EventLoopGroup eventLoop, ManagedChannel channel, Duration callTimeout) {
        this.eventLoop = eventLoop;
        this.channel = channel;
        this.callTimeout = callTimeout;
    }

    /**
     * A client of the CRI server listening on {@code socket}. Connecting is lazy: a missing server
     * shows as an {@code UNAVAILABLE} {@link CriCallException} on the first call.
     *
     * @throws IllegalStateException when netty's epoll transport cannot load here (not Linux, or
     *     its native library refused), since only it speaks to unix sockets
     */
    public static CriClient connect(Path socket, Duration callTimeout) {
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("netty's epoll transport is unavailable, so no unix socket client: " + Epoll.unavailabilityCause());
        }
        EventLoopGroup loop = new EpollEventLoopGroup(1);
        ManagedChannel channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toFile()))
                .eventLoopGroup(loop)
                .channelType(EpollDomainSocketChannel.class)
                // A unix socket has no host name; gRPC needs some authority for its :authority header.
                .overrideAuthority("localhost")
                .usePlaintext()
                .build();
        return new CriClient(loop, channel, callTimeout);
    }

    private RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime(Duration extra) {
        return RuntimeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(callTimeout.plus(extra).toMillis(), TimeUnit.MILLISECONDS);
    }

    private ImageServiceGrpc.ImageServiceBlockingStub images() {
        return ImageServiceGrpc.newBlockingStub(channel).withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static <T> T call(String method, Supplier<T> rpc) {
        try {
            return rpc.get();
        } catch (StatusRuntimeException e) {
            throw new CriCallException(method, e);
        }
    }

    public VersionResponse version() {
        return call("Version", () -> runtime(Duration.ZERO).version(VersionRequest.newBuilder().setVersion(KUBELET_API_VERSION).build()));
    }

    public StatusResponse status() {
        return call("Status", () -> runtime(Duration.ZERO).status(StatusRequest.newBuilder().setVerbose(true).build()));
    }

    /** Creates and starts the pod's sandbox with the runtime handler {@code handler}; returns its id. */
    public String runPodSandbox(PodSandboxConfig config, String handler) {
        return call("RunPodSandbox", () -> runtime(Duration.ZERO)
                .runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(config).setRuntimeHandler(handler).build())
                .getPodSandboxId());
    }

    public void stopPodSandbox(String podId) {
        call("StopPodSandbox", () -> runtime(Duration.ZERO).stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(podId).build()));
    }

    public void removePodSandbox(String podId) {
        call("RemovePodSandbox", () -> runtime(Duration.ZERO).removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(podId).build()));
    }

    public PodSandboxStatusResponse podSandboxStatus(String podId) {
        return call("PodSandboxStatus", () -> runtime(Duration.ZERO)
                .podSandboxStatus(PodSandboxStatusRequest.newBuilder().setPodSandboxId(podId).setVerbose(true).build()));
    }

    public List<PodSandbox> listPodSandbox(PodSandboxFilter filter) {
        return call("ListPodSandbox", () -> runtime(Duration.ZERO)
                .listPodSandbox(ListPodSandboxRequest.newBuilder().setFilter(filter).build()).getItemsList());
    }

    /** Creates a container in pod {@code podId} ({@code sandboxConfig} is the pod's, passed again as kubelet does); returns its id. */
    public String createContainer(String podId, ContainerConfig config, PodSandboxConfig sandboxConfig) {
        return call("CreateContainer", () -> runtime(Duration.ZERO).createContainer(CreateContainerRequest.newBuilder()
                .setPodSandboxId(podId).setConfig(config).setSandboxConfig(sandboxConfig).build()).getContainerId());
    }

    public void startContainer(String containerId) {
        call("StartContainer", () -> runtime(Duration.ZERO).startContainer(StartContainerRequest.newBuilder().setContainerId(containerId).build()));
    }

    /** Stops the container: its stop signal, then SIGKILL after {@code gracePeriod} (whole seconds). */
    public void stopContainer(String containerId, Duration gracePeriod) {
        call("StopContainer", () -> runtime(gracePeriod).stopContainer(StopContainerRequest.newBuilder()
                .setContainerId(containerId).setTimeout(gracePeriod.toSeconds()).build()));
    }

    public void removeContainer(String containerId) {
        call("RemoveContainer", () -> runtime(Duration.ZERO).removeContainer(RemoveContainerRequest.newBuilder().setContainerId(containerId).build()));
    }

    public ContainerStatusResponse containerStatus(String containerId) {
        return call("ContainerStatus", () -> runtime(Duration.ZERO)
                .containerStatus(ContainerStatusRequest.newBuilder().setContainerId(containerId).setVerbose(true).build()));
    }

    public List<Container> listContainers(ContainerFilter filter) {
        return call("ListContainers", () -> runtime(Duration.ZERO)
                .listContainers(ListContainersRequest.newBuilder().setFilter(filter).build()).getContainersList());
    }

    /** Runs {@code command} in the container and waits for it, at most {@code timeout} (whole seconds). */
    public ExecSyncResponse execSync(String containerId, Duration timeout, List<String> command) {
        return call("ExecSync", () -> runtime(timeout).execSync(ExecSyncRequest.newBuilder()
                .setContainerId(containerId).addAllCmd(command).setTimeout(timeout.toSeconds()).build()));
    }

    /** The image as the runtime knows it, or empty when it does not have it (kubelet would pull it then). */
    public Optional<Image> imageStatus(String image) {
        ImageStatusResponse r = call("ImageStatus", () -> images()
                .imageStatus(ImageStatusRequest.newBuilder().setImage(ImageSpec.newBuilder().setImage(image)).build()));
        return r.hasImage() ? Optional.of(r.getImage()) : Optional.empty();
    }

    /** Every image the runtime has (kubelet's image garbage collector lists them so). */
    public List<Image> listImages() {
        return call("ListImages", () -> images().listImages(ListImagesRequest.getDefaultInstance()).getImagesList());
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        channel.awaitTermination(10, TimeUnit.SECONDS);
        eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }
}
