package dev.jvisor.nodeagent.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunscNodeConfigTest {

    @TempDir
    Path version;

    private static final String SHIPPED = """
            # jVisor node-wide sandbox settings
            # network = "none"
            # policy-socket = "/run/jvisor/policy.sock"
            network = "sandbox"
            """;

    @Test
    void setsReplacesAndRemovesOnlyThePolicySocketLine() throws Exception {
        Path file = version.resolve("etc/runsc.toml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, SHIPPED);
        RunscNodeConfig.setPolicySocket(version, Optional.of("/run/jvisor/policy.sock"));
        RunscNodeConfig.setPolicySocket(version, Optional.of("/run/other/policy.sock"));
        String text = Files.readString(file);
        assertThat(text).startsWith(SHIPPED).endsWith("policy-socket = \"/run/other/policy.sock\"\n");
        assertThat(text.lines().filter(l -> l.startsWith("policy-socket"))).hasSize(1);
        RunscNodeConfig.setPolicySocket(version, Optional.empty());
        assertThat(Files.readString(file)).isEqualTo(SHIPPED);
    }

    @Test
    void aPathRunscTomlCannotQuoteIsRefused() {
        assertThatThrownBy(() -> RunscNodeConfig.setPolicySocket(version, Optional.of("/run/\"x\n")))
                .isInstanceOf(HostException.class);
        assertThatThrownBy(() -> RunscNodeConfig.setPolicySocket(version, Optional.of("relative.sock")))
                .isInstanceOf(HostException.class);
    }
}
