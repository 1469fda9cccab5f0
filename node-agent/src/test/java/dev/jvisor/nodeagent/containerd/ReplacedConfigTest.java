package dev.jvisor.nodeagent.containerd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvisor.nodeagent.host.HostPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Someone else rewrites the config after the agent's edit: their version must not be lost. */
class ReplacedConfigTest {

    static final String CONFIG = "/etc/containerd/config.toml";

    @TempDir
    Path hostRoot;
    Path config;
    ConfigPlan plan;

    @BeforeEach
    void installed() throws Exception {
        HostPaths host = new HostPaths(hostRoot);
        config = host.resolve(CONFIG);
        Files.createDirectories(config.getParent());
        Files.writeString(config, "version = 2\n# v1 of the site config\n");
        plan = new ConfigPlanner(host).plan(ContainerdFlavour.CONTAINERD, CONFIG, Optional.empty(),
                ConfigGoldenTest.HANDLER);
        plan.apply();
    }

    @Test
    void replacedConfigBecomesTheNewOriginal() throws Exception {
        String siteV2 = "version = 2\n# v2 of the site config, pushed by configuration management\noom_score = -500\n";
        Files.writeString(config, siteV2);
        plan.apply();
        assertThat(Files.readString(config)).startsWith(siteV2).contains("runtimes.jvisor]");
        ConfigPlan.revert(plan.files());
        assertThat(Files.readString(config)).isEqualTo(siteV2);
    }

    @Test
    void deletedConfigIsRecreatedAndRemovedAgain() throws Exception {
        Files.delete(config);
        plan.apply();
        assertThat(Files.readString(config)).contains("runtimes.jvisor]");
        ConfigPlan.revert(plan.files());
        assertThat(config).doesNotExist();
    }

    @Test
    void handEditedConfigStillCarryingOurEntryIsRefusedUntouched() throws Exception {
        String edited = Files.readString(config).replace("# v1 of the site config", "# edited by hand");
        Files.writeString(config, edited);
        assertThatThrownBy(() -> plan.apply())
                .isInstanceOfSatisfying(ContainerdConfigException.class,
                        e -> assertThat(e.reason()).isEqualTo(ContainerdConfigException.Reason.HANDLER_CONFLICT));
        assertThat(Files.readString(config)).isEqualTo(edited);
        assertThat(ReversibleFiles.backupOf(config)).hasContent("version = 2\n# v1 of the site config");
    }

    @Test
    void reapplyingUnchangedConfigKeepsTheOriginalBackup() throws Exception {
        plan.apply();
        ConfigPlan.revert(plan.files());
        assertThat(Files.readString(config)).isEqualTo("version = 2\n# v1 of the site config\n");
    }
}
