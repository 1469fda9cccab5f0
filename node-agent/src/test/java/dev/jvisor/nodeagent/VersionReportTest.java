package dev.jvisor.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code node-agent --version}: the agent's version and the carried distribution's, exit 0. */
class VersionReportTest {

    @TempDir
    Path distribution;

    @Test
    void reportsTheAgentAndTheDistributionVersions() throws IOException {
        Files.writeString(distribution.resolve("VERSION"), "0.1.0\n");
        assertThat(VersionReport.report("1.2.3", distribution)).isEqualTo(
                "jvisor node-agent 1.2.3\nruntime distribution 0.1.0 (" + distribution + ")");
    }

    @Test
    void aMissingOrMalformedDistributionIsUnknownNotAnError() throws IOException {
        assertThat(VersionReport.report("1.2.3", distribution.resolve("absent")))
                .endsWith("runtime distribution unknown (" + distribution.resolve("absent") + ")");
        Files.writeString(distribution.resolve("VERSION"), "0.1.0\nsomething else\n");
        assertThat(VersionReport.distributionVersion(distribution)).isEmpty();
        Files.writeString(distribution.resolve("VERSION"), "  \n");
        assertThat(VersionReport.distributionVersion(distribution)).isEmpty();
    }

    @Test
    void theDistributionComesFromTheFlagOverTheEnvironment() throws Exception {
        Files.writeString(distribution.resolve("VERSION"), "0.9.0");
        Map<String, String> environment = Map.of("JVISOR_DISTRIBUTION", "/nonexistent");
        assertThat(VersionReport.report(List.of("--distribution", distribution.toString()), environment))
                .endsWith("runtime distribution 0.9.0 (" + distribution + ")");
        assertThat(VersionReport.report(List.of("--distribution=" + distribution), environment))
                .endsWith("runtime distribution 0.9.0 (" + distribution + ")");
        assertThat(VersionReport.report(List.of(), Map.of("JVISOR_DISTRIBUTION", distribution.toString())))
                .endsWith("runtime distribution 0.9.0 (" + distribution + ")");
        assertThat(VersionReport.report(List.of(), Map.of()))
                .contains("(" + VersionReport.DEFAULT_DISTRIBUTION + ")");
    }

    @Test
    void otherArgumentsAreRejected() {
        assertThatThrownBy(() -> VersionReport.report(List.of("--install-dir", "/x"), Map.of()))
                .isInstanceOf(SettingsException.class).hasMessageContaining("--install-dir");
        assertThatThrownBy(() -> VersionReport.report(List.of("--distribution="), Map.of()))
                .isInstanceOf(SettingsException.class);
        assertThat(NodeAgentMain.run(List.of("--version", "--bogus"))).isEqualTo(2);
    }

    @Test
    void theCommandLinePrintsTheReportAndExitsZero() throws IOException {
        Files.writeString(distribution.resolve("VERSION"), "0.1.0");
        PrintStream original = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        int status;
        try {
            status = NodeAgentMain.run(List.of("--version", "--distribution", distribution.toString()));
        } finally {
            System.setOut(original);
        }
        assertThat(status).isZero();
        // Run from classes, the jar manifest's version is absent: the report says so rather than guessing.
        assertThat(printed.toString(StandardCharsets.UTF_8)).isEqualTo(
                "jvisor node-agent " + VersionReport.agentVersion() + "\nruntime distribution 0.1.0 ("
                        + distribution + ")\n");
    }
}
