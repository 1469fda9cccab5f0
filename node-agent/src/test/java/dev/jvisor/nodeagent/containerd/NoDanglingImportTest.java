package dev.jvisor.nodeagent.containerd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.nodeagent.host.HostPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tomlj.Toml;
import org.tomlj.TomlArray;

/**
 * containerd 2.x refuses to start when an import names a missing file. Stopping the agent after any
 * single step of install or uninstall (a crash, a kill -9) must never leave such an import.
 */
class NoDanglingImportTest {

    @TempDir
    Path hostRoot;

    @Test
    void everyPrefixOfApplyAndRevertLeavesOnlyImportsThatExist() throws Exception {
        HostPaths host = new HostPaths(hostRoot);
        Path config = host.resolve("/etc/containerd/config.toml");
        Files.createDirectories(config.getParent());
        Files.writeString(config, "version = 3\nimports = [\"/etc/containerd/site.toml\"]\n");
        Files.writeString(host.resolve("/etc/containerd/site.toml"), "version = 3\n");
        ConfigPlan plan = new ConfigPlanner(host).plan(ContainerdFlavour.CONTAINERD, "/etc/containerd/config.toml",
                Optional.of(new ContainerdVersion(2, 1)), ConfigGoldenTest.HANDLER);
        assertNoDanglingImport(host, config);
        for (FileEdit edit : plan.edits()) {
            ReversibleFiles.apply(edit);
            assertNoDanglingImport(host, config);
        }
        assertThat(imports(config)).contains("/etc/containerd/conf.d/jvisor.toml");
        List<Path> files = plan.files();
        for (int i = files.size() - 1; i >= 0; i--) {
            ReversibleFiles.restore(files.get(i));
            assertNoDanglingImport(host, config);
        }
        assertThat(imports(config)).containsExactly("/etc/containerd/site.toml");
    }

    private static List<Object> imports(Path config) throws Exception {
        TomlArray imports = Toml.parse(Files.readString(config)).getArray("imports");
        return imports == null ? List.of() : imports.toList();
    }

    private static void assertNoDanglingImport(HostPaths host, Path config) throws Exception {
        for (Object entry : imports(config)) {
            assertThat(host.resolve((String) entry)).as("import %s", entry).isRegularFile();
        }
    }
}
