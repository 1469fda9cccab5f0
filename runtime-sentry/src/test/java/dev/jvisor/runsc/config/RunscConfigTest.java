package dev.jvisor.runsc.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunscConfigTest {

    @Test
    void defaultsAreTheMostIsolatedChoices() {
        RunscConfig c = RunscConfig.defaults();
        assertThat(c.platform()).isEqualTo(Platform.PTRACE);
        assertThat(c.network()).isEqualTo(Network.NONE);
        assertThat(c.fileAccess()).isEqualTo(FileAccess.EXCLUSIVE);
        assertThat(c.overlay()).isTrue();
        assertThat(c.strace()).isFalse();
        assertThat(c.debugLog()).isEmpty();
        for (ConfigOption o : ConfigOption.values()) assertThat(c.source(o)).isEqualTo(ConfigSource.DEFAULT);
    }

    @Test
    void precedenceIsDefaultThenFlagThenFileThenAnnotation(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("runsc.toml");
        Files.writeString(file, "network = \"sandbox\"  # the node's choice\nstrace = true\n");
        RunscConfig c = RunscConfig.defaults()
                .withFlags(Map.of(ConfigOption.NETWORK, "host", ConfigOption.FILE_ACCESS, "shared"))
                .withFile(file);
        assertThat(c.network()).isEqualTo(Network.SANDBOX);
        assertThat(c.source(ConfigOption.NETWORK)).isEqualTo(ConfigSource.FILE);
        assertThat(c.fileAccess()).isEqualTo(FileAccess.SHARED);
        assertThat(c.source(ConfigOption.FILE_ACCESS)).isEqualTo(ConfigSource.FLAG);
        assertThat(c.strace()).isTrue();

        RunscConfig pod = c.withAnnotations(Map.of("jvisor.dev/network", "none", "jvisor.dev/file-access", "exclusive"));
        assertThat(pod.network()).isEqualTo(Network.NONE);
        assertThat(pod.source(ConfigOption.NETWORK)).isEqualTo(ConfigSource.ANNOTATION);
        assertThat(pod.fileAccess()).isEqualTo(FileAccess.EXCLUSIVE);
        // Layers return new configs; the node's stays as it was.
        assertThat(c.network()).isEqualTo(Network.SANDBOX);
    }

    @Test
    void annotationsMayNotLoosenTheSandbox() throws Exception {
        RunscConfig node = RunscConfig.defaults(); // network none, overlay on
        assertThatThrownBy(() -> node.withAnnotations(Map.of("jvisor.dev/network", "host")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("annotations may only tighten");
        assertThatThrownBy(() -> node.withAnnotations(Map.of("jvisor.dev/overlay", "false")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("less isolated");
        RunscConfig sandboxNet = node.withFlags(Map.of(ConfigOption.NETWORK, "sandbox"));
        assertThatThrownBy(() -> sandboxNet.withAnnotations(Map.of("jvisor.dev/network", "host")))
                .isInstanceOf(ConfigException.class);
        // Same value is not loosening.
        assertThat(node.withAnnotations(Map.of("jvisor.dev/network", "none")).network()).isEqualTo(Network.NONE);
    }

    @Test
    void nodeOnlySettingsCannotComeFromAPod() {
        RunscConfig node = RunscConfig.defaults();
        for (String key : new String[] {"debug-log", "platform", "policy-socket", "policy-timeout-ms", "policy-fail-open"}) {
            assertThatThrownBy(() -> node.withAnnotations(Map.of("jvisor.dev/" + key, "/etc/shadow")))
                    .as(key).isInstanceOf(ConfigException.class).hasMessageContaining("set by the node only");
        }
    }

    @Test
    void aPodMayRepeatANodeOnlySettingButNotChangeIt() throws Exception {
        RunscConfig node = RunscConfig.defaults();
        // The operator writes a policy's complete set of annotations, the platform among them.
        assertThat(node.withAnnotations(Map.of("jvisor.dev/platform", "ptrace")).source(ConfigOption.PLATFORM))
                .isEqualTo(ConfigSource.DEFAULT);
        assertThatThrownBy(() -> node.withAnnotations(Map.of("jvisor.dev/policy-fail-open", "true")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("set by the node only");
    }

    @Test
    void tracingAndDebugMayBeTurnedOffByAPodButNeverOn() throws Exception {
        RunscConfig tracing = RunscConfig.defaults().withFlags(Map.of(ConfigOption.STRACE, "true", ConfigOption.DEBUG, "true"));
        RunscConfig pod = tracing.withAnnotations(Map.of("jvisor.dev/strace", "false", "jvisor.dev/debug", "false"));
        assertThat(pod.strace()).isFalse();
        assertThat(pod.text(ConfigOption.DEBUG)).isEqualTo("false");
        for (String key : new String[] {"strace", "debug"}) {
            assertThatThrownBy(() -> RunscConfig.defaults().withAnnotations(Map.of("jvisor.dev/" + key, "true")))
                    .as(key).isInstanceOf(ConfigException.class).hasMessageContaining("annotations may only tighten");
        }
    }

    @Test
    void everySettingAPodMayAnnotateHasAnIsolationOrder() {
        for (ConfigOption o : ConfigOption.values()) {
            if (o.annotationRule() != AnnotationRule.TIGHTEN_ONLY) continue;
            Object value = o.parse(o.defaultText());
            assertThat(o.strictness(value)).as(o.key()).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void otherAnnotationsAreIgnored() throws Exception {
        RunscConfig c = RunscConfig.defaults().withAnnotations(Map.of(
                "jvisor.dev/policy", "strict", "io.kubernetes.cri.container-type", "sandbox", "network", "host"));
        assertThat(c.network()).isEqualTo(Network.NONE);
        assertThat(c.source(ConfigOption.NETWORK)).isEqualTo(ConfigSource.DEFAULT);
    }

    @Test
    void badValuesNameWhereTheyCameFrom(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> RunscConfig.defaults().withFlags(Map.of(ConfigOption.NETWORK, "wifi")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("flag --network: invalid value \"wifi\" (allowed: none, sandbox, host)");
        Path file = dir.resolve("runsc.toml");
        Files.writeString(file, "\n\noverlay = yes\n");
        assertThatThrownBy(() -> RunscConfig.defaults().withFile(file))
                .hasMessage(file + ":3: invalid value \"yes\" for overlay (allowed: true, false)");
        assertThatThrownBy(() -> RunscConfig.defaults().withAnnotations(Map.of("jvisor.dev/network", "")))
                .hasMessageContaining("annotation jvisor.dev/network: invalid value");
    }

    @Test
    void aMissingFileChangesNothing(@TempDir Path dir) throws Exception {
        assertThat(RunscConfig.defaults().withFile(dir.resolve("absent.toml")).network()).isEqualTo(Network.NONE);
        assertThat(RunscConfig.defaults().withFile(null).overlay()).isTrue();
    }

    @Test
    void configFileSyntax() throws Exception {
        var entries = ConfigFile.parse("""
                # comment
                  network=host
                debug-log = "/var/log/runsc #1 \\"x\\".log"   # trailing comment
                overlay = false
                """, "t");
        assertThat(entries).extracting(ConfigFile.Entry::option)
                .containsExactly(ConfigOption.NETWORK, ConfigOption.DEBUG_LOG, ConfigOption.OVERLAY);
        assertThat(entries.get(1).value()).isEqualTo("/var/log/runsc #1 \"x\".log");
        assertThat(entries.get(2).line()).isEqualTo(4);
    }

    @Test
    void configFileMistakesAreErrorsWithLineNumbers() {
        String[][] cases = {
            {"netwrok = none", "t:1: unknown key \"netwrok\""},
            {"network = none\nnetwork = host", "t:2: \"network\" set twice"},
            {"[runsc]\nnetwork = none", "t:1: tables are not supported; write key = value"},
            {"network", "t:1: expected key = value"},
            {"network =", "t:1: missing value"},
            {"debug-log = \"/x", "t:1: unterminated string"},
            {"debug-log = \"/x\" y", "t:1: text after the closing quote"},
            {"debug-log = /a b", "t:1: a value with spaces or quotes must be quoted"},
            {"debug-log = \"\\n\"", "t:1: unsupported escape \\n"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> ConfigFile.parse(c[0], "t")).as(c[0])
                    .isInstanceOf(ConfigException.class).hasMessage(c[1]);
        }
    }

    @Test
    void aConfigThatIsNotARegularFileOrTooLargeIsRefusedWithoutBlocking(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("fifo.toml");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        assertThatThrownBy(() -> RunscConfig.defaults().withFile(fifo)).hasMessageContaining("not a regular file");
        assertThatThrownBy(() -> RunscConfig.defaults().withFile(dir)).hasMessageContaining("not a regular file");
        Path huge = Files.writeString(dir.resolve("huge.toml"), "#".repeat(ConfigFile.MAX_BYTES + 1));
        assertThatThrownBy(() -> RunscConfig.defaults().withFile(huge)).hasMessageContaining("larger than");
    }

    @Test
    void theShippedConfigFileParses() throws Exception {
        Path shipped = Path.of("src/main/dist/etc/runsc.toml");
        RunscConfig c = RunscConfig.defaults().withFile(shipped);
        for (ConfigOption o : ConfigOption.values()) assertThat(c.text(o)).isEqualTo(RunscConfig.defaults().text(o));
    }

    @Test
    void everyOptionsDefaultParsesAndKeysAreUnique() {
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (ConfigOption o : ConfigOption.values()) {
            assertThat(keys.add(o.key())).as(o.key()).isTrue();
            assertThat(o.parse(o.defaultText())).isNotNull();
            assertThat(ConfigOption.fromKey(o.key())).isEqualTo(o);
            if (o.annotationRule() == AnnotationRule.TIGHTEN_ONLY) o.strictness(o.parse(o.defaultText()));
        }
    }

    @Test
    void tighteningKeepsTheStricterValueAndOnlyForOrderedSettings() throws Exception {
        RunscConfig node = RunscConfig.defaults().withFlags(Map.of(ConfigOption.NETWORK, "sandbox"));
        RunscConfig tighter = node.tightenedTo(ConfigOption.NETWORK, "none", ConfigSource.POLICY);
        assertThat(tighter.network()).isEqualTo(Network.NONE);
        assertThat(tighter.source(ConfigOption.NETWORK)).isEqualTo(ConfigSource.POLICY);
        RunscConfig same = node.tightenedTo(ConfigOption.NETWORK, "host", ConfigSource.POLICY);
        assertThat(same).isSameAs(node);
        assertThatThrownBy(() -> node.tightenedTo(ConfigOption.NETWORK, "wide", ConfigSource.POLICY))
                .isInstanceOf(ConfigException.class).hasMessageContaining("wide");
        assertThatThrownBy(() -> node.tightenedTo(ConfigOption.POLICY_SOCKET, "/x", ConfigSource.POLICY))
                .isInstanceOf(ConfigException.class).hasMessageContaining("no isolation order");
    }

    @Test
    void policySettingsParseAndRefuseNonsense() throws Exception {
        RunscConfig c = RunscConfig.defaults();
        assertThat(c.policySocket()).isEmpty();
        assertThat(c.policyTimeoutMillis()).isEqualTo(5000);
        assertThat(c.policyFailOpen()).isFalse();
        RunscConfig set = c.withFlags(Map.of(ConfigOption.POLICY_SOCKET, "/run/jvisor/policy.sock",
                ConfigOption.POLICY_TIMEOUT_MS, "250", ConfigOption.POLICY_FAIL_OPEN, "true"));
        assertThat(set.policySocket()).contains(Path.of("/run/jvisor/policy.sock"));
        assertThat(set.policyTimeoutMillis()).isEqualTo(250);
        assertThat(set.policyFailOpen()).isTrue();
        assertThatThrownBy(() -> c.withFlags(Map.of(ConfigOption.POLICY_TIMEOUT_MS, "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("milliseconds");
        assertThatThrownBy(() -> c.withAnnotations(Map.of("jvisor.dev/policy-socket", "/tmp/mine.sock")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("node only");
    }
}
