package dev.jvisor.nodeagent;

import dev.jvisor.nodeagent.containerd.ConfigPlanner;
import dev.jvisor.nodeagent.containerd.ContainerdFlavour;
import dev.jvisor.nodeagent.containerd.RuntimeHandler;
import dev.jvisor.nodeagent.host.DistributionInstaller;
import dev.jvisor.nodeagent.host.HostException;
import dev.jvisor.nodeagent.host.HostPaths;
import dev.jvisor.nodeagent.host.InstallJournal;
import dev.jvisor.nodeagent.kube.DaemonSetSelection;
import dev.jvisor.nodeagent.kube.KubeException;
import dev.jvisor.nodeagent.kube.NodeStatus;
import dev.jvisor.nodeagent.lifecycle.Daemon;
import dev.jvisor.nodeagent.lifecycle.Install;
import dev.jvisor.nodeagent.lifecycle.LifecycleException;
import dev.jvisor.nodeagent.lifecycle.NodeContext;
import dev.jvisor.nodeagent.lifecycle.RestartCommand;
import dev.jvisor.nodeagent.lifecycle.Uninstall;
import dev.jvisor.nodeagent.policy.PolicyService;
import dev.jvisor.nodeagent.policy.PolicySocketException;
import dev.jvisor.nodeagent.status.AgentStatus;
import dev.jvisor.nodeagent.status.StatusServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The node agent's command line: {@code install}, {@code uninstall}, or {@code run} (the DaemonSet
 * mode: install, then on SIGTERM uninstall only if the DaemonSet no longer selects this node), and
 * {@code --version} (the agent's and its runtime distribution's, see {@link VersionReport}).
 * Exit status: 0 done, 1 a step failed, 2 bad settings.
 */
public final class NodeAgentMain {

    static final String USAGE = """
            usage: node-agent install|uninstall|run [--flag value]...
                   node-agent --version [--distribution DIR]
            flags (or environment JVISOR_<FLAG>, e.g. JVISOR_INSTALL_DIR):
            """ + String.join("\n", AgentSettings.FLAGS.stream().map(f -> "  --" + f).toList());

    private NodeAgentMain() {
    }

    public static void main(String[] args) {
        // Netty's direct-memory tricks through sun.misc.Unsafe buy nothing for a handful of CRI calls
        // and make JDK 25 print deprecation warnings into the agent's structured log.
        System.setProperty("io.grpc.netty.shaded.io.netty.noUnsafe", "true");
        System.setProperty("io.netty.noUnsafe", "true");
        System.exit(run(Arrays.asList(args)));
    }

    static int run(List<String> args) {
        if (args.isEmpty() || args.getFirst().equals("help") || args.getFirst().equals("--help")) {
            System.out.println(USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        if (args.getFirst().equals("--version") || args.getFirst().equals("version")) {
            try {
                System.out.println(VersionReport.report(args.subList(1, args.size()), System.getenv()));
                return 0;
            } catch (SettingsException e) {
                AgentLog.error("invalid settings", "setting", e.setting(), "error", e.getMessage());
                return 2;
            }
        }
        if (!List.of("install", "uninstall", "run").contains(args.getFirst())) {
            System.err.println(USAGE);
            return 2;
        }
        AgentSettings settings;
        try {
            settings = AgentSettings.parse(args.subList(1, args.size()), System.getenv());
        } catch (SettingsException e) {
            AgentLog.error("invalid settings", "setting", e.setting(), "error", e.getMessage());
            return 2;
        }
        try (KubernetesClient client = settings.nodeName().isPresent() ? new KubernetesClientBuilder().build() : null) {
            NodeContext ctx = context(settings, Optional.ofNullable(client), args.getFirst().equals("run"));
            switch (args.getFirst()) {
                case "install" -> new Install(ctx).run();
                case "uninstall" -> new Uninstall(ctx).run();
                default -> runAsDaemon(settings, ctx, Optional.ofNullable(client));
            }
            return 0;
        } catch (LifecycleException e) {
            AgentLog.error("failed", "step", e.step(), "error", e.getMessage());
            return 1;
        } catch (IOException e) {
            AgentLog.error("cannot serve status endpoints", "error", e.getMessage());
            return 1;
        } catch (SettingsException e) {
            AgentLog.error("invalid settings", "setting", e.setting(), "error", e.getMessage());
            return 2;
        } catch (PolicySocketException e) {
            AgentLog.error("cannot serve the policy socket", "error", e.getMessage());
            return 1;
        }
    }

    /** The context of a one-shot install or uninstall (no policy service). */
    public static NodeContext context(AgentSettings s, Optional<KubernetesClient> client) throws SettingsException {
        return context(s, client, false);
    }

    /**
     * Builds the context: resolves host paths, the flavour's socket and restart command.
     *
     * @param servingPolicy whether this process serves the policy socket (run mode): only then is
     *                      the installed runsc told to ask it, or every pod would be refused
     */
    public static NodeContext context(AgentSettings s, Optional<KubernetesClient> client, boolean servingPolicy)
            throws SettingsException {
        if (!Files.isDirectory(s.hostRoot().resolve("etc"))) {
            // Without the host's filesystem the agent would "install" into its own container.
            throw new SettingsException("host-root", s.hostRoot() + " does not look like the host's root (no etc/)");
        }
        HostPaths host = new HostPaths(s.hostRoot());
        ContainerdFlavour flavour = s.flavour().resolve(host);
        RuntimeHandler handler;
        try {
            DistributionInstaller.checkVersion(s.version());
            handler = new RuntimeHandler(s.handlerName(),
                    s.installDir() + "/" + DistributionInstaller.CURRENT + "/" + DistributionInstaller.RUNSC,
                    s.runtimeRoot(), List.of("jvisor.dev/*"));
        } catch (HostException | IllegalArgumentException e) {
            throw new SettingsException("version/handler-name", e.getMessage());
        }
        String socket = s.containerdSocket().orElse(switch (flavour) {
            case K3S, RKE2 -> "/run/k3s/containerd/containerd.sock";
            default -> "/run/containerd/containerd.sock";
        });
        Duration restartTimeout = s.readyTimeout();
        RestartCommand restart = s.restartCommand()
                .map(c -> new RestartCommand(c, restartTimeout))
                .orElseGet(() -> RestartCommand.systemd(
                        RestartCommand.defaultUnit(flavour, isRancherAgent(host, flavour)), restartTimeout));
        var installDir = host.resolve(s.installDir());
        return new NodeContext(host, s.distribution(), s.version(), new DistributionInstaller(installDir),
                new InstallJournal(installDir.resolve(".journal")), host.resolve(s.lockFile()),
                new ConfigPlanner(host), s.containerdConfig(), flavour, handler, restart, host.resolve(socket),
                s.probe(), s.readyTimeout(),
                client.flatMap(c -> s.nodeName().map(n -> new NodeStatus(c, n))), s.startupTaints(),
                new AgentStatus(s.version(), s.handlerName()),
                // runsc asks the agent only where the agent serves: in run mode, with the API server.
                servingPolicy && client.isPresent() && s.nodeName().isPresent() ? s.policySocket() : Optional.empty());
    }

    /** A k3s/rke2 worker runs the "-agent" unit; a server node has the server unit file. */
    private static boolean isRancherAgent(HostPaths host, ContainerdFlavour flavour) {
        String agentUnit = RestartCommand.defaultUnit(flavour, true) + ".service";
        return Files.exists(host.resolve("/etc/systemd/system/" + agentUnit))
                || Files.exists(host.resolve("/usr/local/lib/systemd/system/" + agentUnit));
    }

    /**
     * The DaemonSet mode (see {@link Daemon}). On SIGTERM it uninstalls only when the DaemonSet no
     * longer selects this node: a pod restart or rolling update must leave running sandboxes alone.
     */
    private static void runAsDaemon(AgentSettings s, NodeContext ctx, Optional<KubernetesClient> client)
            throws LifecycleException, IOException, PolicySocketException {
        // Serving before installing keeps the liveness probe answering through a long install.
        Optional<StatusServer> server = s.statusListen().isPresent()
                ? Optional.of(new StatusServer(s.statusListen().get(), ctx.status()))
                : Optional.empty();
        try (PolicyService policy = policyService(s, ctx, client)) {
            // The daemon closes the policy service itself after its uninstall decision; closing it
            // again here covers a failed install.
            new Daemon(ctx, () -> removalRequested(s, client), s.reconcileInterval(), server,
                    policy == null ? List.of() : List.of(policy)).run();
        }
    }

    /**
     * The per-pod policy and event service, served before the install so that runsc on this node
     * finds it as soon as containerd runs the handler (the install's own probe sandbox included).
     * It needs the API server; without one it is not served and runsc is not told to ask it. A
     * socket that cannot be served stops the agent before it installs: a node whose runsc asks a
     * silent agent would refuse every pod.
     */
    private static PolicyService policyService(AgentSettings s, NodeContext ctx, Optional<KubernetesClient> client)
            throws PolicySocketException {
        if (ctx.policySocket().isEmpty()) {
            if (s.policySocket().isPresent()) {
                AgentLog.warn("not serving the policy socket: it needs --node-name and API access");
            }
            return null;
        }
        return PolicyService.start(client.orElseThrow(), s.nodeName().orElseThrow(),
                ctx.host().resolve(ctx.policySocket().get()), s.policySocketGroup(), ctx.status());
    }

    /**
     * When removal cannot be decided (no API access), the installation is kept: a leftover runtime
     * entry is harmless, a removed one breaks running pods.
     */
    private static boolean removalRequested(AgentSettings s, Optional<KubernetesClient> client) {
        if (client.isEmpty() || s.podName().isEmpty() || s.podNamespace().isEmpty() || s.nodeName().isEmpty()) {
            AgentLog.warn("cannot tell removal from restart without pod, namespace and node names; keeping");
            return false;
        }
        try {
            return !new DaemonSetSelection(client.get())
                    .stillSelects(s.podNamespace().get(), s.podName().get(), s.nodeName().get());
        } catch (KubeException e) {
            AgentLog.warn("cannot check the DaemonSet; keeping the installation", "error", e.getMessage());
            return false;
        }
    }
}
