package dev.jvisor.nodeagent.containerd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvisor.nodeagent.host.HostPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;

/**
 * The edits only ever add text: removing what was added gives back the user's file exactly, for
 * any spelling of the parts we touch. And they keep the file as private as it was.
 */
class TextPreservationTest {

    static final String DROP_IN = "/etc/containerd/conf.d/jvisor.toml";

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {
        "version = 3\nimports = []\n",
        "version = 3\nimports=[\"/a.toml\"]\n",
        "version = 3\nimports = [ # site files\n  '/a.toml',\n  \"/b.toml\" ]\n",
        "version = 3\n\"imports\" = [\"/a.toml\"]\n",
        "version = 3\r\nimports = [\r\n  \"/a.toml\",\r\n]\r\n",
        "# header\n\nversion = 3 # two? no, three\n[plugins]\n",
        "version = 3",
        "root = \"/var/lib/containerd\"\nversion = 3\n[grpc]\naddress = \"/run/c.sock\"\n",
    })
    void importInsertionOnlyAddsText(String original) throws Exception {
        String edited = V3ConfigEdit.addImport(Optional.of(original), tmp.resolve("config.toml"),
                "/etc/containerd/config.toml", DROP_IN, ConfigGoldenTest.HANDLER);
        TomlParseResult parsed = Toml.parse(edited);
        assertThat(parsed.errors()).isEmpty();
        List<Object> imports = parsed.getArray("imports").toList();
        assertThat(imports.getFirst()).isEqualTo(DROP_IN);
        TomlParseResult before = Toml.parse(original);
        List<Object> previous = before.getArray("imports") == null ? List.of() : before.getArray("imports").toList();
        assertThat(imports.subList(1, imports.size())).isEqualTo(previous);
        assertThat(removeOnce(edited, original)).isEqualTo(original);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "version = 2\n",
        "version = 2",
        "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".containerd]\n  default_runtime_name = \"crun\"\n"
                + "  [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.crun]\n    runtime_type = \"io.containerd.runc.v2\"\n",
        "[plugins.cri.containerd.runtimes.runc]\n  runtime_type = \"io.containerd.runc.v2\"\n",
        "version = 2\n[plugins]\n  [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes]\n",
    })
    void runtimeTableOnlyAppends(String original) throws Exception {
        String edited = V2ConfigEdit.addRuntime(Optional.of(original), tmp.resolve("config.toml"),
                ConfigGoldenTest.HANDLER);
        assertThat(edited).startsWith(original);
        TomlParseResult parsed = Toml.parse(edited);
        assertThat(parsed.errors()).isEmpty();
        CriPlugin plugin = original.contains("version") ? CriPlugin.V2 : CriPlugin.V1;
        RuntimeTable.verify(parsed, plugin, ConfigGoldenTest.HANDLER, tmp);
        // Whatever the user's default runtime is, it is still defined.
        String defaultName = Optional.ofNullable(parsed.getString(List.of("plugins", plugin.pluginId(), "containerd",
                "default_runtime_name"))).orElse("runc");
        assertThat(RuntimeTable.isDefined(parsed, plugin, defaultName)).isTrue();
    }

    @Test
    void privateConfigStaysPrivateAndItsBackupToo() throws Exception {
        HostPaths host = new HostPaths(tmp);
        Path config = host.resolve("/etc/containerd/config.toml");
        Files.createDirectories(config.getParent());
        Files.writeString(config, "version = 2\n# registry credentials live here\n");
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
        ConfigPlan plan = new ConfigPlanner(host).plan(ContainerdFlavour.CONTAINERD, "/etc/containerd/config.toml",
                Optional.empty(), ConfigGoldenTest.HANDLER);
        plan.apply();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ReversibleFiles.backupOf(config))))
                .isEqualTo("rw-------");
        ConfigPlan.revert(plan.files());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config))).isEqualTo("rw-------");
    }

    @Test
    void configThatIsASymlinkIsNotReplaced() throws Exception {
        HostPaths host = new HostPaths(tmp);
        Path real = host.resolve("/srv/containerd.toml");
        Path config = host.resolve("/etc/containerd/config.toml");
        Files.createDirectories(real.getParent());
        Files.createDirectories(config.getParent());
        Files.writeString(real, "version = 2\n");
        Files.createSymbolicLink(config, real);
        assertThatThrownBy(() -> new ConfigPlanner(host).plan(ContainerdFlavour.CONTAINERD,
                "/etc/containerd/config.toml", Optional.empty(), ConfigGoldenTest.HANDLER).apply())
                .isInstanceOfSatisfying(ContainerdConfigException.class,
                        e -> assertThat(e.reason()).isEqualTo(ContainerdConfigException.Reason.FOREIGN_FILE));
        assertThat(Files.isSymbolicLink(config)).isTrue();
        assertThat(real).hasContent("version = 2");
    }

    /** {@code edited} minus the one contiguous run of characters that was inserted into {@code original}. */
    private static String removeOnce(String edited, String original) {
        int prefix = 0;
        while (prefix < original.length() && edited.charAt(prefix) == original.charAt(prefix)) {
            prefix++;
        }
        int inserted = edited.length() - original.length();
        return edited.substring(0, prefix) + edited.substring(prefix + inserted);
    }
}
