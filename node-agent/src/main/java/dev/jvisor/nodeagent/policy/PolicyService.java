package dev.jvisor.nodeagent.policy;

import dev.jvisor.nodeagent.status.AgentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The policy service as the daemon runs it: the SandboxPolicy informer, the Event writer, the
 * gRPC service on its socket, and its counters on the agent's metrics endpoint.
 */
public final class PolicyService implements AutoCloseable {

    private final KubernetesClusterView cluster;
    private final PodEventRecorder recorder;
    private final PolicySocketServer server;
    private final AtomicBoolean closed = new AtomicBoolean();

    private PolicyService(KubernetesClusterView cluster, PodEventRecorder recorder, PolicySocketServer server) {
        this.cluster = cluster;
        this.recorder = recorder;
        this.server = server;
    }

    /** @param socket the socket's path as the agent sees it (under the host root) */
    public static PolicyService start(KubernetesClient client, String node, Path socket, OptionalInt group,
                                      AgentStatus status) throws PolicySocketException {
        SandboxMetrics metrics = new SandboxMetrics();
        KubernetesClusterView cluster = new KubernetesClusterView(client);
        PodEventRecorder recorder = new PodEventRecorder(client, node, metrics);
        try {
            PolicySocketServer server = PolicySocketServer.start(socket, group,
                    new SandboxPolicyGrpcService(cluster, metrics, Optional.of(recorder)));
            status.exportAlso(metrics::prometheus);
            return new PolicyService(cluster, recorder, server);
        } catch (PolicySocketException e) {
            recorder.close();
            cluster.close();
            throw e;
        }
    }

    /** Stops serving (removing the socket) first, so no request arrives at a closed informer; idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.close();
        recorder.close();
        cluster.close();
    }
}
