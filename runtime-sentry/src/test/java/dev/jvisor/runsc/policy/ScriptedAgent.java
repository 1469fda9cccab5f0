package dev.jvisor.runsc.policy;

import dev.jvisor.node.v1.EventSummary;
import dev.jvisor.node.v1.GetSandboxPolicyRequest;
import dev.jvisor.node.v1.SandboxEvent;
import dev.jvisor.node.v1.SandboxPolicyDecision;
import dev.jvisor.node.v1.SandboxPolicyServiceGrpc;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A real gRPC server on a unix socket that answers GetSandboxPolicy from a function and records
 * what StreamEvents receives, so runsc's
 * side can be tested on its own (the node agent's own server is tested against this client in
 * node-agent). The function may throw a {@link io.grpc.StatusRuntimeException} to fail a call.
 */
final class ScriptedAgent implements AutoCloseable {

    final List<GetSandboxPolicyRequest> requests = new CopyOnWriteArrayList<>();
    /** Every event received on StreamEvents, in arrival order, across streams. */
    final List<SandboxEvent> events = new CopyOnWriteArrayList<>();
    /** StreamEvents calls that ended with the client's close (not a failure). */
    final java.util.concurrent.atomic.AtomicInteger completedStreams = new java.util.concurrent.atomic.AtomicInteger();
    private final EpollEventLoopGroup group = new EpollEventLoopGroup(1);
    private final Server server;

    ScriptedAgent(Path socket, Function<GetSandboxPolicyRequest, SandboxPolicyDecision> answer) throws IOException {
        server = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(group).workerEventLoopGroup(group)
                .addService(new SandboxPolicyServiceGrpc.SandboxPolicyServiceImplBase() {
                    @Override
                    public void getSandboxPolicy(GetSandboxPolicyRequest request,
                                                 StreamObserver<SandboxPolicyDecision> out) {
                        requests.add(request);
                        try {
                            out.onNext(answer.apply(request));
                            out.onCompleted();
                        } catch (io.grpc.StatusRuntimeException e) {
                            out.onError(e);
                        } catch (RuntimeException e) {
                            out.onError(Status.INTERNAL.withDescription(e.getMessage()).asRuntimeException());
                        }
                    }

                    @Override
                    public StreamObserver<SandboxEvent> streamEvents(StreamObserver<EventSummary> out) {
                        return new StreamObserver<>() {
                            private long accepted;

                            @Override public void onNext(SandboxEvent e) {
                                events.add(e);
                                accepted++;
                            }

                            @Override public void onError(Throwable t) { }

                            @Override public void onCompleted() {
                                completedStreams.incrementAndGet();
                                out.onNext(EventSummary.newBuilder().setAccepted(accepted).build());
                                out.onCompleted();
                            }
                        };
                    }
                })
                .build().start();
    }

    ScriptedAgent(Path socket) throws IOException {
        this(socket, r -> SandboxPolicyDecision.newBuilder().setAllowed(true).setPolicy("untrusted").build());
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
