package dev.jvisor.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvisor.nodeagent.containerd.ContainerdFlavour;
import dev.jvisor.nodeagent.cri.HandlerProbe;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentSettingsTest {

    @Test
    void flagsOverrideEnvironmentOverDefaults() throws Exception {
        AgentSettings s = AgentSettings.parse(List.of("--install-dir=/opt/other", "--containerd-flavour", "k3s",
                "--restart-command", "/bin/systemctl  restart containerd", "--startup-taints", "a, b,,"),
                Map.of("JVISOR_INSTALL_DIR", "/opt/env", "JVISOR_VERSION", "1.2.3", "NODE_NAME", "n1",
                        "JVISOR_PROBE", "status"));
        assertThat(s.installDir()).isEqualTo("/opt/other");
        assertThat(s.flavour()).isEqualTo(ContainerdFlavour.K3S);
        assertThat(s.version()).isEqualTo("1.2.3");
        assertThat(s.nodeName()).contains("n1");
        assertThat(s.probe()).isEqualTo(HandlerProbe.Mode.STATUS);
        assertThat(s.restartCommand()).contains(List.of("/bin/systemctl", "restart", "containerd"));
        assertThat(s.startupTaints()).containsExactly("a", "b");
        assertThat(s.hostRoot()).isEqualTo(Path.of("/host"));
        assertThat(s.handlerName()).isEqualTo("jvisor");
        assertThat(s.containerdConfig()).isEqualTo("/etc/containerd/config.toml");
    }

    @Test
    void badInputIsATypedErrorNamingTheSetting() {
        Map<String, String> env = Map.of("JVISOR_VERSION", "1");
        assertThat(settingOf(List.of("--no-such-flag", "x"), env)).isEqualTo("no-such-flag");
        assertThat(settingOf(List.of("--install-dir"), env)).isEqualTo("install-dir");
        assertThat(settingOf(List.of("--install-dir", "relative/path"), env)).isEqualTo("install-dir");
        assertThat(settingOf(List.of("--ready-timeout-seconds", "soon"), env)).isEqualTo("ready-timeout-seconds");
        assertThat(settingOf(List.of("--containerd-flavour", "docker"), env)).isEqualTo("containerd-flavour/probe");
        assertThat(settingOf(List.of("positional"), env)).isEqualTo("positional");
        assertThat(settingOf(List.of("--distribution", "/nonexistent"), Map.of())).isEqualTo("version");
    }

    private static String settingOf(List<String> args, Map<String, String> env) {
        try {
            AgentSettings.parse(args, env);
        } catch (SettingsException e) {
            return e.setting();
        }
        throw new AssertionError("accepted " + args);
    }

    @Test
    void hostRootWithoutTheHostsFilesIsRefused(@org.junit.jupiter.api.io.TempDir Path empty) throws Exception {
        AgentSettings s = AgentSettings.parse(List.of("--host-root", empty.toString(), "--version", "1"), Map.of());
        assertThatThrownBy(() -> NodeAgentMain.context(s, java.util.Optional.empty()))
                .isInstanceOfSatisfying(SettingsException.class, e -> assertThat(e.setting()).isEqualTo("host-root"));
    }

    @Test
    void mainExitsTwoOnBadSettings() {
        assertThat(NodeAgentMain.run(List.of("install", "--bogus", "1"))).isEqualTo(2);
        assertThat(NodeAgentMain.run(List.of())).isEqualTo(2);
        assertThat(NodeAgentMain.run(List.of("help"))).isZero();
    }
}
