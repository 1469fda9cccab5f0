package dev.jvisor.nodeagent.containerd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvisor.nodeagent.containerd.ContainerdConfigException.Reason;
import dev.jvisor.nodeagent.host.HostPaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configs the agent must refuse to change, each with a typed reason and the host left untouched. */
class ConfigRefusalTest {

    @TempDir
    Path hostRoot;

    private void assertRefused(String config, Optional<ContainerdVersion> version, Reason reason) throws Exception {
        HostPaths host = new HostPaths(hostRoot);
        Path file = host.resolve(ConfigGoldenTest.CONFIG);
        Files.createDirectories(file.getParent());
        Files.writeString(file, config);
        assertThatThrownBy(() -> new ConfigPlanner(host)
                .plan(ContainerdFlavour.CONTAINERD, ConfigGoldenTest.CONFIG, version, ConfigGoldenTest.HANDLER)
                .apply())
                .isInstanceOfSatisfying(ContainerdConfigException.class, e -> assertThat(e.reason()).isEqualTo(reason));
        assertThat(Files.readString(file)).isEqualTo(config);
        try (var files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void existingHandlerWithOurNameIsAConflict() throws Exception {
        assertRefused("""
                version = 2
                [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.jvisor]
                  runtime_type = "io.containerd.runsc.v1"
                """, ConfigGoldenTest.CONTAINERD_1_7, Reason.HANDLER_CONFLICT);
    }

    @Test
    void existingHandlerDefinedWithDottedKeysIsAConflict() throws Exception {
        assertRefused("""
                version = 2
                [plugins."io.containerd.grpc.v1.cri".containerd]
                  runtimes.jvisor.runtime_type = "io.containerd.runc.v2"
                """, ConfigGoldenTest.CONTAINERD_1_7, Reason.HANDLER_CONFLICT);
    }

    @Test
    void inlineRuntimesTableCannotBeExtended() throws Exception {
        assertRefused("""
                version = 2
                [plugins."io.containerd.grpc.v1.cri".containerd]
                  runtimes = { runc = { runtime_type = "io.containerd.runc.v2" } }
                """, ConfigGoldenTest.CONTAINERD_1_7, Reason.CANNOT_EXTEND);
    }

    @Test
    void invalidTomlIsAParseError() throws Exception {
        assertRefused("version = 2\n[plugins\n", ConfigGoldenTest.CONTAINERD_1_7, Reason.PARSE_ERROR);
    }

    @Test
    void schema2FileOnContainerd2IsUnsupported() throws Exception {
        assertRefused("version = 2\n", ConfigGoldenTest.CONTAINERD_2_0, Reason.UNSUPPORTED_VERSION);
    }

    @Test
    void unknownSchemaVersionIsUnsupported() throws Exception {
        assertRefused("version = 7\n", Optional.empty(), Reason.UNSUPPORTED_VERSION);
    }

    @Test
    void importsThatIsNotAnArrayCannotBeExtended() throws Exception {
        assertRefused("version = 3\nimports = \"/etc/other.toml\"\n", ConfigGoldenTest.CONTAINERD_2_0,
                Reason.CANNOT_EXTEND);
    }

    @Test
    void v3HandlerAlreadyInMainConfigIsAConflict() throws Exception {
        assertRefused("""
                version = 3
                [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.jvisor]
                  runtime_type = "io.containerd.runc.v2"
                """, ConfigGoldenTest.CONTAINERD_2_0, Reason.HANDLER_CONFLICT);
    }

    @Test
    void nonUtf8ConfigIsRefused() throws Exception {
        HostPaths host = new HostPaths(hostRoot);
        Path file = host.resolve(ConfigGoldenTest.CONFIG);
        Files.createDirectories(file.getParent());
        byte[] latin1 = "version = 2\n# caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(file, latin1);
        assertThatThrownBy(() -> new ConfigPlanner(host).plan(ContainerdFlavour.CONTAINERD, ConfigGoldenTest.CONFIG,
                ConfigGoldenTest.CONTAINERD_1_7, ConfigGoldenTest.HANDLER).apply())
                .isInstanceOfSatisfying(ContainerdConfigException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.PARSE_ERROR));
        assertThat(Files.readAllBytes(file)).isEqualTo(latin1);
    }

    @Test
    void foreignDropInIsNotTakenOverAndNoImportIsAdded() throws Exception {
        HostPaths host = new HostPaths(hostRoot);
        Path config = host.resolve(ConfigGoldenTest.CONFIG);
        Path dropIn = host.resolve("/etc/containerd/conf.d/jvisor.toml");
        Files.createDirectories(dropIn.getParent());
        Files.writeString(config, "version = 3\n");
        Files.writeString(dropIn, "# someone else's\n");
        assertThatThrownBy(() -> new ConfigPlanner(host).plan(ContainerdFlavour.CONTAINERD, ConfigGoldenTest.CONFIG,
                ConfigGoldenTest.CONTAINERD_2_0, ConfigGoldenTest.HANDLER).apply())
                .isInstanceOfSatisfying(ContainerdConfigException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.FOREIGN_FILE));
        assertThat(Files.readString(config)).isEqualTo("version = 3\n");
        assertThat(Files.readString(dropIn)).isEqualTo("# someone else's\n");
    }

    @Test
    void handlerNamesThatAreNotDnsLabelsAreRejected() {
        assertThatThrownBy(() -> new RuntimeHandler("jvisor\"]\n[evil", "/bin/x", "/run/x", java.util.List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pathsWithQuotesAreEscapedNotInjected() throws Exception {
        RuntimeHandler handler = new RuntimeHandler("jvisor", "/opt/x\"\n[plugins.evil]\na=\"/runsc", "/run/r",
                java.util.List.of("jvisor.dev/*"));
        String edited = V2ConfigEdit.addRuntime(Optional.of("version = 2\n"), Path.of("c"), handler);
        assertThat(org.tomlj.Toml.parse(edited).get("plugins.evil")).isNull();
    }
}
