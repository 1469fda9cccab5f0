package dev.jvisor.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class NodeAgentDaemonSetTest {

    private static DaemonSet agent(RenderedChart chart, String name) {
        return chart.one(DaemonSet.class, name);
    }

    private static Map<String, EnvVar> env(Container container) {
        return container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
    }

    private static String value(Container container, String name) {
        EnvVar var = env(container).get(name);
        assertThat(var).as("env %s", name).isNotNull();
        return var.getValue();
    }

    @Test
    void agentIsPrivilegedNodeCriticalWithTheHostRootMounted() {
        DaemonSet daemonSet = agent(RenderedChart.withValuesFiles(), "jvisor-node-agent");
        PodSpec pod = daemonSet.getSpec().getTemplate().getSpec();
        Container container = pod.getContainers().getFirst();

        assertThat(pod.getPriorityClassName()).isEqualTo("system-node-critical");
        assertThat(pod.getHostPID()).as("nsenter into the host's systemd needs the host PID namespace").isTrue();
        assertThat(container.getSecurityContext().getPrivileged()).isTrue();
        assertThat(container.getArgs()).containsExactly("run");

        Volume hostRoot = pod.getVolumes().stream().filter(v -> v.getHostPath() != null).findFirst().orElseThrow();
        assertThat(hostRoot.getHostPath().getPath()).isEqualTo("/");
        VolumeMount mount = container.getVolumeMounts().stream()
                .filter(m -> m.getName().equals(hostRoot.getName())).findFirst().orElseThrow();
        assertThat(mount.getMountPath()).isEqualTo("/host").isEqualTo(value(container, "JVISOR_HOST_ROOT"));
        assertThat(mount.getReadOnly()).isNotEqualTo(Boolean.TRUE);
        assertThat(mount.getMountPropagation()).isEqualTo("HostToContainer");
    }

    @Test
    void agentSettingsFollowTheValues() {
        Container defaults = agent(RenderedChart.withValuesFiles(), "jvisor-node-agent")
                .getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertThat(value(defaults, "JVISOR_INSTALL_DIR")).isEqualTo("/opt/jvisor");
        assertThat(value(defaults, "JVISOR_CONTAINERD_FLAVOUR")).isEqualTo("auto");
        assertThat(value(defaults, "JVISOR_CONTAINERD_CONFIG")).isEqualTo("/etc/containerd/config.toml");
        assertThat(value(defaults, "JVISOR_HANDLER_NAME")).isEqualTo("jvisor");
        assertThat(value(defaults, "JVISOR_RUNTIME_ROOT")).isEqualTo("/run/jvisor/runsc");
        assertThat(value(defaults, "JVISOR_LOCK_FILE")).isEqualTo("/run/jvisor/node-agent.lock");
        assertThat(env(defaults)).doesNotContainKeys("JVISOR_CONTAINERD_SOCKET", "JVISOR_RESTART_COMMAND",
                "JVISOR_STARTUP_TAINTS");
        assertThat(env(defaults).get("NODE_NAME").getValueFrom().getFieldRef().getFieldPath())
                .isEqualTo("spec.nodeName");
        assertThat(env(defaults).get("POD_NAME").getValueFrom().getFieldRef().getFieldPath())
                .isEqualTo("metadata.name");
        assertThat(env(defaults).get("POD_NAMESPACE").getValueFrom().getFieldRef().getFieldPath())
                .isEqualTo("metadata.namespace");

        Container k3s = agent(RenderedChart.withValuesFiles("k3s-fail-open.yaml"), "jvisor-node-agent")
                .getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertThat(value(k3s, "JVISOR_CONTAINERD_FLAVOUR")).isEqualTo("k3s");
        assertThat(value(k3s, "JVISOR_CONTAINERD_SOCKET")).isEqualTo("/run/k3s/containerd/containerd.sock");
        assertThat(value(k3s, "JVISOR_INSTALL_DIR")).isEqualTo("/var/lib/jvisor");
        assertThat(value(k3s, "JVISOR_STARTUP_TAINTS")).isEqualTo("jvisor.dev/not-ready");
        assertThat(value(k3s, "JVISOR_PROBE")).isEqualTo("status");
    }

    @Test
    void everyAgentSettingTheChartPassesIsOneTheAgentReads() throws IOException {
        // The agent rejects unknown flags, but ignores unknown JVISOR_* variables: a typo here
        // would silently fall back to a default, so check the names against the agent's table.
        String source = Files.readString(Repository.file(
                "node-agent/src/main/java/dev/jvisor/nodeagent/AgentSettings.java"));
        var flagsDeclaration = Pattern.compile("FLAGS = List\\.of\\(([^)]*)\\)", Pattern.DOTALL).matcher(source);
        assertThat(flagsDeclaration.find()).as("AgentSettings.FLAGS").isTrue();
        Set<String> known = Pattern.compile("\"([a-z-]+)\"").matcher(flagsDeclaration.group(1)).results()
                .map(m -> "JVISOR_" + m.group(1).toUpperCase().replace('-', '_'))
                .collect(Collectors.toSet());
        known.addAll(Set.of("NODE_NAME", "POD_NAME", "POD_NAMESPACE"));

        for (String values : new String[] {"k3s-fail-open.yaml", "renamed.yaml"}) {
            Container container = agent(RenderedChart.render(
                            Map.of("nodeAgent.containerd.restartCommand", "systemctl restart containerd"), values),
                    values.equals("renamed.yaml") ? "sandbox-node-agent" : "jvisor-node-agent")
                    .getSpec().getTemplate().getSpec().getContainers().getFirst();
            assertThat(env(container).keySet()).isSubsetOf(known).contains("JVISOR_RESTART_COMMAND");
        }
    }

    @Test
    void schedulingFollowsTheValuesAndToleratesEverythingByDefault() {
        PodSpec defaults = agent(RenderedChart.withValuesFiles(), "jvisor-node-agent")
                .getSpec().getTemplate().getSpec();
        assertThat(defaults.getNodeSelector()).containsExactly(Map.entry("kubernetes.io/os", "linux"));
        assertThat(defaults.getTolerations()).singleElement()
                .satisfies(t -> assertThat(t.getOperator()).isEqualTo("Exists"))
                .satisfies(t -> assertThat(t.getKey()).isNull());

        PodSpec k3s = agent(RenderedChart.withValuesFiles("k3s-fail-open.yaml"), "jvisor-node-agent")
                .getSpec().getTemplate().getSpec();
        assertThat(k3s.getNodeSelector()).containsEntry("sandbox.example.com/enabled", "true");
        assertThat(k3s.getTolerations()).singleElement()
                .satisfies(t -> assertThat(t.getKey()).isEqualTo("sandbox.example.com/dedicated"));
        assertThat(k3s.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms()).hasSize(1);
    }

    @Test
    void uninstallHasTimeToRestoreContainerd() {
        DaemonSet daemonSet = agent(RenderedChart.withValuesFiles(), "jvisor-node-agent");
        PodSpec pod = daemonSet.getSpec().getTemplate().getSpec();
        long readyTimeout = Long.parseLong(value(pod.getContainers().getFirst(), "JVISOR_READY_TIMEOUT_SECONDS"));

        // Uninstall restarts containerd and waits for it; a kill in the middle leaves the journal
        // to finish on the next start, but a removed DaemonSet has no next start.
        assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThanOrEqualTo(2 * readyTimeout);
        assertThat(daemonSet.getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
    }

    @Test
    void imageDefaultsToTheChartsAppVersionAndADigestWins() {
        Container defaults = agent(RenderedChart.withValuesFiles(), "jvisor-node-agent")
                .getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertThat(defaults.getImage()).isEqualTo("ghcr.io/jvisor/jvisor-node-agent:0.1.0");
        assertThat(defaults.getImagePullPolicy()).isEqualTo("IfNotPresent");

        String digest = "sha256:" + "ab".repeat(32);
        Container pinned = agent(RenderedChart.render(Map.of("nodeAgent.image.digest", digest,
                        "nodeAgent.image.pullPolicy", "Never")), "jvisor-node-agent")
                .getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertThat(pinned.getImage()).isEqualTo("ghcr.io/jvisor/jvisor-node-agent@" + digest);
        assertThat(Optional.ofNullable(pinned.getImagePullPolicy())).contains("Never");
    }
}
