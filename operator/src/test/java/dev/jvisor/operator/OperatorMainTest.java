package dev.jvisor.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.operator.config.OperatorConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The configuration read before the application starts (to make the certificate) is the typed mapping. */
class OperatorMainTest {

    @Test
    void loadsTheTypedConfigurationWithItsDefaults() {
        OperatorConfig config = OperatorMain.loadConfig();
        assertThat(config.namespace()).isEqualTo("jvisor-system");
        assertThat(config.exemptNamespaces()).containsExactly("kube-system", "kube-node-lease");
        assertThat(config.webhook().renewBefore()).isEqualTo(Duration.ofDays(30));
        assertThat(config.webhook().certificateValidity()).isGreaterThan(config.webhook().renewBefore());
    }

    @Test
    void environmentStyleOverridesApply() {
        System.setProperty("jvisor.operator.namespace", "sandboxing");
        try {
            assertThat(OperatorMain.loadConfig().namespace()).isEqualTo("sandboxing");
        } finally {
            System.clearProperty("jvisor.operator.namespace");
        }
    }
}
