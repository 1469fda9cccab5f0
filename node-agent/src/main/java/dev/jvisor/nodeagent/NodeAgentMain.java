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
import dev.jvisor.nodeagent.lifecycle.Install;
import dev.jvisor.nodeagent.lifecycle.LifecycleException;
import dev.jvisor.nodeagent.lifecycle.NodeContext;
import dev.jvisor.nodeagent.lifecycle.RestartCommand;
import dev.jvisor.nodeagent.lifecycle.Uninstall;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * The node agent's command line: {@code install}, {@code uninstall}, or {@code run} (the DaemonSet
 * mode: install, then on SIGTERM uninstall only if the DaemonSet no longer selects this node).
 * Exit status: 0 done, 1 a step failed, 2 bad settings.
 */
public final class NodeAgentMain {

    static final String USAGE = """
            usage: node-agent install|uninstall|run [--flag value]...
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
        AgentSettings settings;
        try {
            settings = AgentSettings.parse(args.subList(1, args.size()), System.getenv());
        } catch (SettingsException e) {
            AgentLog.error("invalid settings", "setting", e.setting(), "error", e.getMessage());
            return 2;
        }
        try (KubernetesClient client = settings.nodeName().isPresent() ? new KubernetesClientBuilder().build() : null) {
            NodeContext ctx = context(settings, Optional.ofNullable(client));
            switch (args.getFirst()) {
                case "install" -> new Install(ctx).run();
                case "uninstall" -> new Uninstall(ctx).run();
                case "run" -> runAsDaemon(settings, ctx, Optional.ofNullable(client));
                default -> {
                    System.err.println(USAGE);
                    return 2;
                }
            }
            return 0;
        } catch (LifecycleException e) {
            AgentLog.error("failed", "step", e.step(), "error", e.getMessage());
            return 1;
        } catch (SettingsException e) {
            AgentLog.error("invalid settings", "setting", e.setting(), "error", e.getMessage());
            return 2;
        }
    }

    /** Builds the context: resolves host paths, the flavour's socket and restart command. */
    public static NodeContext context(AgentSettings s, Optional<KubernetesClient> client) throws SettingsException {
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
                client.flatMap(c -> s.nodeName().map(n -> new NodeStatus(c, n))), s.startupTaints());
    }

    /** A k3s/rke2 worker runs the "-agent" unit; a server node has the server unit file. */
    private static boolean isRancherAgent(HostPaths host, ContainerdFlavour flavour) {
        String agentUnit = RestartCommand.defaultUnit(flavour, true) + ".service";
        return Files.exists(host.resolve("/etc/systemd/system/" + agentUnit))
                || Files.exists(host.resolve("/usr/local/lib/systemd/system/" + agentUnit));
    }

    /**
     * Installs, then waits for SIGTERM. On SIGTERM it uninstalls only when the DaemonSet no longer
     * selects this node: a pod restart or rolling update must leave running sandboxes alone. When
     * that cannot be decided (no API access), it keeps the installation: a leftover runtime entry
     * is harmless, a removed one breaks running pods.
     */
    private static void runAsDaemon(AgentSettings s, NodeContext ctx, Optional<KubernetesClient> client)
            throws LifecycleException {
        new Install(ctx).run();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread onTerm = new Thread(() -> {
            try {
                if (removalRequested(s, client)) {
                    new Uninstall(ctx).run();
                } else {
                    AgentLog.info("stopping without uninstall: the DaemonSet still selects this node");
                }
            } catch (LifecycleException e) {
                AgentLog.error("uninstall failed", "step", e.step(), "error", e.getMessage());
            } finally {
                stopped.countDown();
            }
        }, "sigterm");
        Runtime.getRuntime().addShutdownHook(onTerm);
        AgentLog.info("ready; waiting for termination");
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

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
