package dev.jvisor.nodeagent.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.nodeagent.AgentSettings;
import dev.jvisor.nodeagent.NodeAgentMain;
import dev.jvisor.nodeagent.cri.ContainerdHealth;
import dev.jvisor.nodeagent.cri.CriClient;
import dev.jvisor.cri.v1.CriApi;
import dev.jvisor.nodeagent.host.InstallJournal;
import dev.jvisor.nodeagent.kube.NodeStatus;
import dev.jvisor.nodeagent.lifecycle.Install;
import dev.jvisor.nodeagent.lifecycle.NodeContext;
import dev.jvisor.nodeagent.lifecycle.Uninstall;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The agent against a real containerd 1.6 of the test's own: it installs the jVisor distribution
 * this build made, rewrites that containerd's config, restarts it through the restart hook, proves
 * the handler with a probe pod sandbox, labels the (mock API server's) node, and a pod sandbox then
 * runs in handler {@code jvisor} on the Sentry (its container names the Sentry's kernel in
 * {@code /proc/version}). Uninstall must give back the original config byte for byte with
 * containerd healthy and nothing of any pod left on the host.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@EnableKubernetesMockClient(crud = true)
class ContainerdNodeTest {

    static final String NODE = "node-1";

    KubernetesClient client;
    PrivateContainerd containerd;
    Path distribution;
    String version;
    /**
     * Where runsc keeps state and binds its sockets ({@code options.Root}). A socket path under it,
     * {@code <root>/k8s.io/<64-hex id>/control.sock}, must fit sockaddr_un's 107 bytes, which a temp
     * directory's would not: a short directory of this process's own under /run, as on a node.
     */
    Path shortRun;
    Path runtimeRoot;
    Path policySocket;
    byte[] originalConfig;

    @BeforeAll
    void startContainerd() throws Exception {
        NodeTools.assumeContainerd();
        distribution = NodeTools.jvisorDistribution();
        version = Files.readString(distribution.resolve("VERSION")).strip();
        shortRun = Path.of("/run", "jvn" + ProcessHandle.current().pid());
        runtimeRoot = shortRun.resolve("r");
        policySocket = shortRun.resolve("policy.sock");
        containerd = new PrivateContainerd();
        containerd.start();
        BusyboxImage.importInto(containerd);
        originalConfig = Files.readAllBytes(containerd.config);
    }

    @AfterAll
    void stopContainerd() throws Exception {
        try {
            if (containerd != null) {
                containerd.close();
            }
        } finally {
            if (shortRun != null && Files.exists(shortRun)) {
                PrivateContainerd.unmountUnder(shortRun);
                try (var walk = Files.walk(shortRun)) {
                    for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

    /** Agents a test started in their own JVMs; one a failed test left running is killed after it. */
    private final List<Process> daemonAgents = new ArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void killLeftoverAgents() throws InterruptedException {
        for (Process agent : daemonAgents) {
            if (agent.isAlive()) killAgentThenItsChildren(agent);
        }
        daemonAgents.clear();
    }

    /**
     * SIGKILL to the agent first: killed first, a child (a restart hook) would hand a still running
     * agent a failed step it reacts to, e.g. by rolling the config back. Its children are listed
     * while they are still its children.
     */
    private static void killAgentThenItsChildren(Process agent) throws InterruptedException {
        List<ProcessHandle> children = agent.descendants().toList();
        agent.destroyForcibly();
        agent.waitFor(10, TimeUnit.SECONDS);
        children.forEach(ProcessHandle::destroyForcibly);
    }

    @BeforeEach
    void node() {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(NODE).endMetadata()
                .withNewSpec().addNewTaint().withKey("jvisor.dev/not-ready").withEffect("NoSchedule").endTaint()
                .addNewTaint().withKey("site/keep").withEffect("NoSchedule").endTaint().endSpec()
                .withNewStatus().withNewNodeInfo().withContainerRuntimeVersion("containerd://1.6.20").endNodeInfo()
                .endStatus().build()).createOr(r -> r.update());
    }

    /** The original config as text; UTF-8 text equality is byte equality, and diffs read better. */
    String original() {
        return new String(originalConfig, java.nio.charset.StandardCharsets.UTF_8);
    }

    List<String> flags(Path restartScript) {
        Path d = containerd.dir;
        return new ArrayList<>(List.of("--host-root", "/", "--install-dir", d + "/opt/jvisor",
                "--distribution", distribution.toString(), "--containerd-flavour", "containerd",
                "--containerd-config", containerd.config.toString(), "--restart-command", restartScript.toString(),
                "--containerd-socket", containerd.socket.toString(), "--runtime-root", runtimeRoot.toString(),
                "--policy-socket", policySocket.toString(),
                "--lock-file", d + "/run/jvisor/agent.lock", "--probe", "sandbox", "--startup-taints",
                "jvisor.dev/not-ready", "--ready-timeout-seconds", "60", "--status-listen", "off"));
    }

    NodeContext context(Optional<KubernetesClient> kube) throws Exception {
        List<String> flags = flags(containerd.restartScript);
        kube.ifPresent(k -> flags.addAll(List.of("--node-name", NODE)));
        return NodeAgentMain.context(AgentSettings.parse(flags, Map.of()), kube);
    }

    @Test
    void installRunsAPodInTheHandlerAndUninstallRestoresTheConfigTwice() throws Exception {
        NodeContext ctx = context(Optional.of(client));
        for (int round = 1; round <= 2; round++) {
            int restartsBefore = containerd.restarts();
            new Install(ctx).run();
            assertThat(containerd.restarts()).as("install restarts containerd once").isEqualTo(restartsBefore + 1);
            assertThat(Files.readString(containerd.config)).contains("runtimes.jvisor]")
                    .contains("BinaryName = \"" + containerd.dir + "/opt/jvisor/current/bin/runsc\"");
            // The install's probe sandbox ran in the handler, or Install would have failed at PROBE; the
            // handler is this build's runsc, copied as it is.
            assertThat(containerd.dir.resolve("opt/jvisor/current/bin/runsc"))
                    .hasSameBinaryContentAs(distribution.resolve("bin/runsc"));
            var node = client.nodes().withName(NODE).get();
            assertThat(node.getMetadata().getLabels()).containsEntry(NodeStatus.READY_LABEL, version);
            assertThat(node.getSpec().getTaints()).extracting("key").containsExactly("site/keep");

            runPodInHandler();

            // A second install on a healthy node changes nothing and does not restart containerd.
            new Install(ctx).run();
            assertThat(containerd.restarts()).isEqualTo(restartsBefore + 1);

            new Uninstall(ctx).run();
            assertThat(Files.readString(containerd.config)).as("round %d: config restored", round)
                    .isEqualTo(original());
            assertThat(containerd.dir.resolve("opt/jvisor")).doesNotExist();
            try (var files = Files.list(containerd.config.getParent())) {
                assertThat(files).containsExactly(containerd.config);
            }
            assertThat(client.nodes().withName(NODE).get().getMetadata().getLabels())
                    .doesNotContainKey(NodeStatus.READY_LABEL);
            assertContainerdHealthy();
            assertNothingOfAPodLeft();
        }
        // Uninstalling again finds nothing to do and leaves containerd alone.
        int restarts = containerd.restarts();
        new Uninstall(ctx).run();
        assertThat(containerd.restarts()).isEqualTo(restarts);
    }

    @Test
    void killedMidInstallOrUninstallThenRerunConverges() throws Exception {
        killAtRestart("install");
        // Killed after editing the config and before containerd was restarted.
        NodeContext ctx = context(Optional.of(client));
        assertThat(ctx.journal().read()).get().extracting(InstallJournal.State::phase)
                .isEqualTo(InstallJournal.Phase.INSTALLING);
        assertThat(Files.readString(containerd.config)).contains("runtimes.jvisor]");

        new Install(ctx).run();
        String config = Files.readString(containerd.config);
        assertThat(config.indexOf("runtimes.jvisor]")).isEqualTo(config.lastIndexOf("runtimes.jvisor]"));
        assertThat(ctx.journal().read()).get().extracting(InstallJournal.State::phase)
                .isEqualTo(InstallJournal.Phase.INSTALLED);
        // The resumed install's probe sandbox ran on the Sentry (Install fails at PROBE otherwise);
        // the first test looks inside a pod, which this one need not repeat.

        killAtRestart("uninstall");
        // Killed after restoring the config and removing the files, before containerd was restarted.
        assertThat(Files.readString(containerd.config)).isEqualTo(original());
        assertThat(ctx.journal().read()).get().extracting(InstallJournal.State::phase)
                .isEqualTo(InstallJournal.Phase.UNINSTALLING);
        int restarts = containerd.restarts();
        new Uninstall(ctx).run();
        assertThat(containerd.restarts()).as("the resumed uninstall restarts containerd").isEqualTo(restarts + 1);
        assertThat(Files.readString(containerd.config)).isEqualTo(original());
        assertThat(containerd.dir.resolve("opt/jvisor")).doesNotExist();
        assertContainerdHealthy();
        assertNothingOfAPodLeft();
    }

    @Test
    void containerdRejectingTheConfigGetsItsOriginalConfigBack() throws Exception {
        Path picky = containerd.dir.resolve("restart-picky.sh");
        PrivateContainerd.writeScript(picky, """
                #!/bin/sh
                # Stands in for a containerd that refuses to start with the edited config.
                if grep -q 'runtimes.jvisor' %s; then echo 'containerd: invalid config' >&2; exit 1; fi
                exec %s
                """.formatted(containerd.config, containerd.restartScript));
        List<String> pickyFlags = flags(picky);
        pickyFlags.addAll(List.of("--node-name", NODE));
        NodeContext ctx = NodeAgentMain.context(AgentSettings.parse(pickyFlags, Map.of()), Optional.of(client));
        // As if an earlier version had been installed and labelled: a failed upgrade withdraws the label.
        client.nodes().withName(NODE).edit(n -> {
            n.getMetadata().setLabels(new java.util.HashMap<>(Map.of(NodeStatus.READY_LABEL, "0.0.9")));
            return n;
        });
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Install(ctx).run())
                .isInstanceOfSatisfying(dev.jvisor.nodeagent.lifecycle.LifecycleException.class,
                        e -> assertThat(e.step()).isEqualTo(dev.jvisor.nodeagent.lifecycle.LifecycleException.Step.RESTART));
        assertThat(Files.readString(containerd.config)).isEqualTo(original());
        assertThat(client.nodes().withName(NODE).get().getMetadata().getLabels())
                .doesNotContainKey(NodeStatus.READY_LABEL);
        assertContainerdHealthy();
        new Uninstall(ctx).run();
        assertThat(containerd.dir.resolve("opt/jvisor")).doesNotExist();
        assertThat(Files.readString(containerd.config)).isEqualTo(original());
        assertContainerdHealthy();
    }

    /** Runs the agent in its own JVM and kills it with SIGKILL once it runs the restart hook. */
    private void killAtRestart(String subcommand) throws Exception {
        Path slowRestart = containerd.dir.resolve("restart-slow.sh");
        Path reached = containerd.dir.resolve("restart-reached");
        Files.deleteIfExists(reached);
        PrivateContainerd.writeScript(slowRestart, "#!/bin/sh\ntouch " + reached + "\nexec sleep 120\n");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), NodeAgentMain.class.getName(), subcommand));
        command.addAll(flags(slowRestart));
        Process agent = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(containerd.dir.resolve("killed-" + subcommand + ".log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(reached) && agent.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(reached).as("the agent reached the restart step").exists();
        } finally {
            killAgentThenItsChildren(agent);
        }
    }

    @Test
    void sigtermUninstallsOnlyWhenTheDaemonSetNoLongerSelectsTheNode() throws Exception {
        client.nodes().withName(NODE).edit(n -> {
            n.getMetadata().setLabels(new java.util.HashMap<>(Map.of("jvisor.dev/enabled", "true")));
            return n;
        });
        var ds = client.apps().daemonSets().inNamespace("jvisor-system").resource(
                new io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder().withNewMetadata()
                        .withName("jvisor-node-agent").endMetadata().withNewSpec().withNewTemplate().withNewSpec()
                        .withNodeSelector(Map.of("jvisor.dev/enabled", "true")).addNewContainer().withName("agent")
                        .endContainer().endSpec().endTemplate().endSpec().build()).createOr(r -> r.update());
        client.pods().inNamespace("jvisor-system").resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                .withNewMetadata().withName("agent-pod").addNewOwnerReference().withKind("DaemonSet")
                .withApiVersion("apps/v1").withName("jvisor-node-agent").withUid(ds.getMetadata().getUid())
                .endOwnerReference().endMetadata().build()).createOr(r -> r.update());

        // A restart (the DaemonSet still selects the node) keeps everything installed.
        Process agent = startDaemonAgent("run-1");
        awaitWaitingForTermination(agent, "run-1");
        assertThat(client.nodes().withName(NODE).get().getMetadata().getLabels())
                .containsEntry(NodeStatus.READY_LABEL, version);
        assertThat(Files.readAttributes(policySocket, java.nio.file.attribute.BasicFileAttributes.class).isOther()).as("run mode serves the policy socket").isTrue();
        stop(agent);
        assertStoppedCleanly(agent, "run-1");
        assertThat(Files.readString(containerd.config)).contains("runtimes.jvisor]");
        assertThat(containerd.dir.resolve("opt/jvisor/current/bin/runsc")).exists();
        // In run mode runsc asks the agent for each pod's settings and refuses a pod it gets no
        // answer for: the probe sandbox that let run-1 label the node was admitted over this socket.
        assertThat(Files.readString(containerd.dir.resolve("opt/jvisor/current/etc/runsc.toml")))
                .contains("policy-socket = \"" + policySocket + "\"");

        // Removal from the node (its label no longer matches the selector) uninstalls.
        agent = startDaemonAgent("run-2");
        awaitWaitingForTermination(agent, "run-2");

        // Configuration management puts its own config back and restarts containerd: the running
        // agent notices within its reconcile interval and installs the handler again.
        Files.writeString(containerd.config, original());
        int restarts = containerd.restarts();
        PrivateContainerd.run(List.of(containerd.restartScript.toString()), Duration.ofSeconds(30));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (containerd.restarts() < restarts + 2 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(containerd.restarts()).as("the agent restarted containerd after re-adding its entry")
                .isEqualTo(restarts + 2);
        assertThat(Files.readString(containerd.config)).startsWith(original()).contains("runtimes.jvisor]");
        awaitLogLine(agent, "run-2", "\"msg\":\"installed\"", 2);
        assertContainerdHealthy();

        client.nodes().withName(NODE).edit(n -> {
            n.getMetadata().getLabels().put("jvisor.dev/enabled", "false");
            return n;
        });
        stop(agent);
        assertStoppedCleanly(agent, "run-2");
        assertThat(Files.readString(containerd.config)).isEqualTo(original());
        assertThat(containerd.dir.resolve("opt/jvisor")).doesNotExist();
        assertThat(client.nodes().withName(NODE).get().getMetadata().getLabels())
                .doesNotContainKey(NodeStatus.READY_LABEL);
        assertContainerdHealthy();
        assertNothingOfAPodLeft();
    }

    /**
     * After SIGTERM the agent finished its shutdown itself and exited 0: its policy socket file is
     * gone (not merely unanswered: runsc would otherwise find a dead socket where it expects the
     * agent), nothing answers there, and the last thing it logged is that it stopped.
     */
    private void assertStoppedCleanly(Process agent, String logName) throws IOException {
        assertThat(agent.exitValue()).as("exit status after SIGTERM").isZero();
        assertThat(policySocket).as("the stopped agent's policy socket").doesNotExist();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> {
            try (var channel = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(policySocket))) {
                channel.isConnected();
            }
        }).as("a connection to the stopped agent's policy socket").isInstanceOf(IOException.class);
        List<String> lines = Files.readAllLines(containerd.dir.resolve(logName + ".log")).stream()
                .filter(l -> l.startsWith("{")).toList();
        assertThat(lines.getLast()).as("the agent's last log line").contains("\"msg\":\"stopped\"");
        assertThat(lines).as("errors logged while stopping").noneMatch(l -> l.contains("\"level\":\"error\""));
    }

    private Process startDaemonAgent(String logName) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dkubernetes.master=" + client.getMasterUrl(), "-Dkubernetes.trust.certificates=true",
                "-Dkubernetes.auth.tryKubeConfig=false", "-Dkubernetes.auth.tryServiceAccount=false",
                "-cp", System.getProperty("java.class.path"), NodeAgentMain.class.getName(), "run"));
        command.addAll(flags(containerd.restartScript));
        command.addAll(List.of("--node-name", NODE, "--pod-name", "agent-pod", "--pod-namespace", "jvisor-system",
                "--reconcile-seconds", "1"));
        Process agent = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(containerd.dir.resolve(logName + ".log").toFile()).start();
        daemonAgents.add(agent);
        return agent;
    }

    /** The agent logs this once installed and its SIGTERM handling is in place. */
    private void awaitWaitingForTermination(Process agent, String logName) throws Exception {
        awaitLogLine(agent, logName, "\"msg\":\"ready; waiting for termination\"", 1);
    }

    private void awaitLogLine(Process agent, String logName, String text, int times) throws Exception {
        Path log = containerd.dir.resolve(logName + ".log");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline && agent.isAlive()) {
            if (Files.readString(log).split(java.util.regex.Pattern.quote(text), -1).length - 1 >= times) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("agent did not log " + text + " " + times + "x: " + Files.readString(log));
    }

    /** SIGTERM, as the kubelet sends when it stops the pod, then wait for the agent to finish. */
    private static void stop(Process agent) throws InterruptedException {
        agent.destroy();
        if (!agent.waitFor(90, TimeUnit.SECONDS)) {
            agent.destroyForcibly();
            throw new AssertionError("agent did not stop after SIGTERM");
        }
    }

    /** What kubelet does for a pod with runtimeClassName whose handler is jvisor. */
    private void runPodInHandler() throws Exception {
        try (CriClient cri = new CriClient(containerd.socket, Duration.ofSeconds(30))) {
            String uid = UUID.randomUUID().toString();
            String id = cri.runPodSandbox(CriApi.PodSandboxConfig.newBuilder()
                    .setMetadata(CriApi.PodSandboxMetadata.newBuilder().setName("sandboxed").setNamespace("untrusted")
                            .setUid(uid))
                    .setLinux(CriApi.LinuxPodSandboxConfig.newBuilder().setSecurityContext(
                            CriApi.LinuxSandboxSecurityContext.newBuilder().setNamespaceOptions(
                                    CriApi.NamespaceOption.newBuilder().setNetwork(CriApi.NamespaceMode.NODE))))
                    .build(), "jvisor", Duration.ofSeconds(60));
            try {
                CriApi.PodSandboxStatus status = cri.podSandboxStatus(id);
                assertThat(status.getState()).isEqualTo(CriApi.PodSandboxState.SANDBOX_READY);
                assertThat(status.getRuntimeHandler()).isEqualTo("jvisor");
                // What the pod's container sees is the Sentry, not the host's kernel.
                String kernel = containerd.ctr(List.of("-n", "k8s.io", "tasks", "exec", "--fifo-dir",
                        containerd.dir.resolve("fifo").toString(), "--exec-id", "kernel", id, "/bin/cat", "/proc/version"),
                        Duration.ofSeconds(60), false);
                assertThat(kernel).as("/proc/version inside the pod").contains("jVisor")
                        .isNotEqualTo(Files.readString(Path.of("/proc/version")));
            } finally {
                cri.stopPodSandbox(id);
                cri.removePodSandbox(id);
            }
        }
    }

    /**
     * No Sentry, gofer or runsc of a pod runs, none of runsc's state stays under its root, no shim
     * serves this containerd and nothing stays mounted under its directories. A shim exits a moment
     * after its last container is removed, so this waits a little for the host to settle.
     */
    private void assertNothingOfAPodLeft() throws Exception {
        List<String> left = List.of();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            left = tracesOfPods();
            if (left.isEmpty()) {
                return;
            }
            Thread.sleep(200);
        }
        assertThat(left).as("left on the host after the pods were removed").isEmpty();
    }

    private List<String> tracesOfPods() throws IOException {
        List<String> traces = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(h -> {
            String commandLine = h.info().commandLine().orElse("");
            if (commandLine.contains(runtimeRoot.toString())
                    || (commandLine.contains("containerd-shim-runc-v2") && commandLine.contains(containerd.socket.toString()))) {
                traces.add("process " + h.pid() + ": " + commandLine);
            }
        });
        Path state = runtimeRoot.resolve("k8s.io");
        if (Files.isDirectory(state)) {
            try (var entries = Files.list(state)) {
                entries.forEach(e -> traces.add("runsc state " + e));
            }
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String mountPoint = line.split(" ")[4];
            if (mountPoint.startsWith(shortRun + "/") || mountPoint.startsWith(containerd.dir + "/")) {
                traces.add("mount " + mountPoint);
            }
        }
        return traces;
    }

    private void assertContainerdHealthy() throws Exception {
        try (CriClient cri = new CriClient(containerd.socket, Duration.ofSeconds(10))) {
            ContainerdHealth.awaitReady(cri, Duration.ofSeconds(30), Duration.ofMillis(200));
            assertThat(cri.version().getRuntimeName()).isEqualTo("containerd");
        }
    }

}
