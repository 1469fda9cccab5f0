package dev.jvisor.nodeagent.lifecycle;

import dev.jvisor.nodeagent.containerd.ConfigPlanner;
import dev.jvisor.nodeagent.containerd.ContainerdFlavour;
import dev.jvisor.nodeagent.containerd.RuntimeHandler;
import dev.jvisor.nodeagent.cri.HandlerProbe;
import dev.jvisor.nodeagent.host.DistributionInstaller;
import dev.jvisor.nodeagent.host.HostPaths;
import dev.jvisor.nodeagent.host.InstallJournal;
import dev.jvisor.nodeagent.kube.NodeStatus;
import dev.jvisor.nodeagent.status.AgentStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything install and uninstall act on, resolved once from the settings.
 *
 * @param host             the host root mapping
 * @param distribution     the runtime distribution to install (in the agent's filesystem)
 * @param version          the version being installed
 * @param installer        the versioned install directory on the host
 * @param journal          the host-side journal of what was done
 * @param lockFile         the host lock file
 * @param planner          decides the containerd config edits
 * @param configHostPath   the plain containerd config path (host view)
 * @param flavour          which containerd flavour to plan for
 * @param handler          the runtime entry
 * @param restart          restarts containerd
 * @param criSocket        containerd's CRI socket (agent view)
 * @param probe            how far to prove the handler works
 * @param readyTimeout     how long containerd may take to become ready
 * @param node             the node object, when the agent talks to Kubernetes
 * @param startupTaints    taint keys removed once ready
 * @param status           what the agent reports about itself
 * @param policySocket     the policy socket runsc is told to ask (host path), when this agent serves one
 */
public record NodeContext(
        HostPaths host,
        Path distribution,
        String version,
        DistributionInstaller installer,
        InstallJournal journal,
        Path lockFile,
        ConfigPlanner planner,
        String configHostPath,
        ContainerdFlavour flavour,
        RuntimeHandler handler,
        RestartCommand restart,
        Path criSocket,
        HandlerProbe.Mode probe,
        Duration readyTimeout,
        Optional<NodeStatus> node,
        List<String> startupTaints,
        AgentStatus status,
        Optional<String> policySocket) {

    /** How long to wait for another agent holding the host lock. */
    static final Duration LOCK_TIMEOUT = Duration.ofMinutes(5);
    /** One CRI call's deadline. */
    static final Duration CRI_CALL_TIMEOUT = Duration.ofSeconds(10);
}
