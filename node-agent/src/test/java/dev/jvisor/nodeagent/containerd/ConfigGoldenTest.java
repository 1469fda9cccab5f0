package dev.jvisor.nodeagent.containerd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.nodeagent.host.HostPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * Each case puts a real-looking config on a fake host, plans and applies the jVisor edit, compares
 * every changed file with its golden copy, then undoes the edit and requires the original bytes.
 */
class ConfigGoldenTest {

    static final RuntimeHandler HANDLER = new RuntimeHandler("jvisor", "/opt/jvisor/current/bin/runsc",
            "/run/jvisor/runsc", List.of("jvisor.dev/*"));
    static final String CONFIG = "/etc/containerd/config.toml";
    static final Optional<ContainerdVersion> CONTAINERD_1_7 = Optional.of(new ContainerdVersion(1, 7));
    static final Optional<ContainerdVersion> CONTAINERD_2_0 = Optional.of(new ContainerdVersion(2, 0));

    @TempDir
    Path hostRoot;

    HostPaths host() {
        return new HostPaths(hostRoot);
    }

    @Test
    void v2DefaultConfigGetsTheRuntimeTableAppended() throws Exception {
        String input = place(CONFIG, Golden.read("v2-default", "input.toml"));
        ConfigPlan plan = planPlain(CONTAINERD_1_7);
        assertThat(plan.schema()).isEqualTo(CriPlugin.V2);
        roundTrip(plan, "v2-default", CONFIG, "expected.toml", input);
    }

    @Test
    void v2UserSettingsAndCommentsSurvive() throws Exception {
        String input = place(CONFIG, Golden.read("v2-user-settings", "input.toml"));
        ConfigPlan plan = planPlain(CONTAINERD_1_7);
        roundTrip(plan, "v2-user-settings", CONFIG, "expected.toml", input);
        // The user's own settings still read the same after our edit.
        plan.apply();
        TomlParseResult before = Toml.parse(input);
        TomlParseResult after = Toml.parse(Files.readString(host().resolve(CONFIG)));
        for (String key : before.dottedKeySet(true)) {
            List<String> path = Toml.parseDottedKey(key);
            assertThat(comparable(after.get(path))).as(key).isEqualTo(comparable(before.get(path)));
        }
        assertThat(after.getString("plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.kata.runtime_type"))
                .isEqualTo("io.containerd.kata.v2");
    }

    @Test
    void v2CrlfFileKeepsItsLineEndings() throws Exception {
        String input = place(CONFIG, Golden.read("v2-crlf", "input.toml"));
        roundTrip(planPlain(CONTAINERD_1_7), "v2-crlf", CONFIG, "expected.toml", input);
        ReversibleFiles.apply(planPlain(CONTAINERD_1_7).edits().getFirst());
        assertThat(Files.readString(host().resolve(CONFIG)).replace("\r\n", "")).doesNotContain("\n");
    }

    @Test
    void v2MissingConfigIsCreatedAndRemovedWithItsDirectory() throws Exception {
        ConfigPlan plan = planPlain(CONTAINERD_1_7);
        plan.apply();
        Golden.assertMatches(Files.readString(host().resolve(CONFIG)), "v2-created", "expected.toml");
        assertThat(ReversibleFiles.markerOf(host().resolve(CONFIG))).exists();
        ConfigPlan.revert(plan.files());
        assertThat(hostRoot.resolve("etc")).doesNotExist();
    }

    @Test
    void v3WithoutImportsGetsDropInAndImportLine() throws Exception {
        String input = place(CONFIG, Golden.read("v3-no-imports", "input.toml"));
        ConfigPlan plan = planPlain(CONTAINERD_2_0);
        assertThat(plan.schema()).isEqualTo(CriPlugin.V3);
        assertThat(plan.files()).containsExactly(host().resolve("/etc/containerd/conf.d/jvisor.toml"),
                host().resolve(CONFIG));
        roundTrip(plan, "v3-no-imports", CONFIG, "expected.toml", input);
    }

    @Test
    void v3ExistingImportsKeepTheirEntriesAndComments() throws Exception {
        String input = place(CONFIG, Golden.read("v3-with-imports", "input.toml"));
        // The file's own version decides even when the node version is unknown.
        ConfigPlan plan = planPlain(Optional.empty());
        roundTrip(plan, "v3-with-imports", CONFIG, "expected.toml", input);
        plan.apply();
        assertThat(Toml.parse(Files.readString(host().resolve(CONFIG))).getArray("imports").toList())
                .containsExactly("/etc/containerd/conf.d/jvisor.toml", "/etc/containerd/site/registry.toml",
                        "/etc/containerd/site/gpu.toml");
    }

    @Test
    void v3GlobImportAlreadyCoveringConfDLeavesMainConfigUntouched() throws Exception {
        String input = place(CONFIG, Golden.read("v3-glob-import", "input.toml"));
        ConfigPlan plan = planPlain(CONTAINERD_2_0);
        plan.apply();
        assertThat(Files.readString(host().resolve(CONFIG))).isEqualTo(input);
        Golden.assertMatches(Files.readString(host().resolve("/etc/containerd/conf.d/jvisor.toml")),
                "v3-glob-import", "conf.d-jvisor.toml");
        ConfigPlan.revert(plan.files());
        assertThat(host().resolve("/etc/containerd/conf.d")).doesNotExist();
        assertThat(Files.readString(host().resolve(CONFIG))).isEqualTo(input);
    }

    @Test
    void v3MissingConfigIsCreatedWithVersionAndImport() throws Exception {
        ConfigPlan plan = planPlain(CONTAINERD_2_0);
        plan.apply();
        Golden.assertMatches(Files.readString(host().resolve(CONFIG)), "v3-created", "expected.toml");
        ConfigPlan.revert(plan.files());
        assertThat(hostRoot.resolve("etc")).doesNotExist();
    }

    @Test
    void k3sWithoutTemplateGetsBaseTemplatePlusRuntime() throws Exception {
        Files.createDirectories(host().resolve("/var/lib/rancher/k3s/agent/etc/containerd"));
        ConfigPlan plan = new ConfigPlanner(host()).plan(ContainerdFlavour.AUTO, CONFIG, CONTAINERD_1_7, HANDLER);
        assertThat(plan.flavour()).isEqualTo(ContainerdFlavour.K3S);
        String template = "/var/lib/rancher/k3s/agent/etc/containerd/config.toml.tmpl";
        assertThat(plan.files()).containsExactly(host().resolve(template));
        plan.apply();
        Golden.assertMatches(Files.readString(host().resolve(template)), "k3s-created", "config.toml.tmpl");
        ConfigPlan.revert(plan.files());
        assertThat(host().resolve(template)).doesNotExist();
        assertThat(host().resolve("/var/lib/rancher/k3s/agent/etc/containerd")).isDirectory();
    }

    @Test
    void k3sUserTemplateKeepsItsText() throws Exception {
        String template = "/var/lib/rancher/k3s/agent/etc/containerd/config.toml.tmpl";
        String input = place(template, Golden.read("k3s-user-template", "input.toml"));
        ConfigPlan plan = new ConfigPlanner(host()).plan(ContainerdFlavour.K3S, CONFIG, CONTAINERD_1_7, HANDLER);
        roundTrip(plan, "k3s-user-template", template, "config.toml.tmpl", input);
    }

    @Test
    void rke2WithContainerd2UsesTheV3Template() throws Exception {
        Files.createDirectories(host().resolve("/var/lib/rancher/rke2/agent/etc/containerd"));
        ConfigPlan plan = new ConfigPlanner(host()).plan(ContainerdFlavour.AUTO, CONFIG,
                ContainerdVersion.fromNodeRuntimeVersion("containerd://2.0.5-k3s1"), HANDLER);
        assertThat(plan.flavour()).isEqualTo(ContainerdFlavour.RKE2);
        assertThat(plan.schema()).isEqualTo(CriPlugin.V3);
        String template = "/var/lib/rancher/rke2/agent/etc/containerd/config-v3.toml.tmpl";
        plan.apply();
        Golden.assertMatches(Files.readString(host().resolve(template)), "rke2-v3-created", "config-v3.toml.tmpl");
        ConfigPlan.revert(plan.files());
        assertThat(host().resolve(template)).doesNotExist();
    }

    /** Values compared by content: tables are compared through their leaves, arrays as JSON. */
    private static Object comparable(Object value) {
        if (value instanceof TomlTable) {
            return "table";
        }
        return value instanceof TomlArray array ? array.toJson() : value;
    }

    private ConfigPlan planPlain(Optional<ContainerdVersion> version) throws ContainerdConfigException {
        return new ConfigPlanner(host()).plan(ContainerdFlavour.CONTAINERD, CONFIG, version, HANDLER);
    }

    private String place(String hostPath, String content) throws IOException {
        Path file = host().resolve(hostPath);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return content;
    }

    /** Applies twice (must converge), compares with golden, reverts twice, requires the input bytes. */
    private void roundTrip(ConfigPlan plan, String caseName, String hostPath, String goldenName, String input)
            throws Exception {
        Path file = host().resolve(hostPath);
        plan.apply();
        plan.apply();
        Golden.assertMatches(Files.readString(file), caseName, goldenName);
        for (Path other : plan.files()) {
            if (!other.equals(file)) {
                Golden.assertMatches(Files.readString(other), caseName, other.getParent().getFileName() + "-"
                        + other.getFileName());
            }
        }
        ConfigPlan.revert(plan.files());
        ConfigPlan.revert(plan.files());
        assertThat(Files.readAllBytes(file)).isEqualTo(input.getBytes(StandardCharsets.UTF_8));
        try (Stream<Path> left = Files.walk(hostRoot)) {
            assertThat(left.filter(Files::isRegularFile).map(hostRoot::relativize).map(Path::toString))
                    .containsExactly(hostRoot.relativize(file).toString());
        }
    }
}
