package dev.jvisor.runsc.cmd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvisor.oci.OciSpec;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What update --resources and events --interval accept, and the errors for what they do not. */
class UpdateAndEventsParsingTest {
    @Test
    void resourcesAreReadAsConfigJsonsAre() throws Exception {
        OciSpec.Resources r = UpdateCommand.parse("""
                {"memory":{"limit":67108864,"swap":-1},"cpu":{"shares":512,"quota":50000,"period":100000},"pids":{"limit":64}}""");
        assertThat(r.memoryLimit()).isEqualTo(67108864L);
        assertThat(r.memorySwap()).isEqualTo(-1L);
        assertThat(r.cpuShares()).isEqualTo(512L);
        assertThat(r.cpuQuota()).isEqualTo(50000L);
        assertThat(r.cpuPeriod()).isEqualTo(100000L);
        assertThat(r.pidsLimit()).isEqualTo(64L);
        assertThat(UpdateCommand.parse("{}").memoryLimit()).isNull();
    }

    @Test
    void badResourcesAreClearErrors() {
        assertThatThrownBy(() -> UpdateCommand.parse("{\"memory\":")).hasMessageContaining("--resources: not valid JSON");
        assertThatThrownBy(() -> UpdateCommand.parse("[1]")).hasMessageContaining("--resources: not a JSON object");
        assertThatThrownBy(() -> UpdateCommand.parse("{\"pids\":{\"limit\":\"many\"}}")).hasMessageContaining("--resources:");
        assertThatThrownBy(() -> UpdateCommand.parse("{\"memory\":{\"limit\":-7}}")).hasMessageContaining("--resources:");
    }

    @Test
    void intervalsAreGoDurationsOfOneUnit() throws Exception {
        assertThat(EventsCommand.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(EventsCommand.parseDuration("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(EventsCommand.parseDuration("1m")).isEqualTo(Duration.ofMinutes(1));
        for (String bad : new String[] {"", "5", "0s", "-1s", "1h", "s", "1.5s"}) {
            assertThatThrownBy(() -> EventsCommand.parseDuration(bad)).as(bad).hasMessageContaining("invalid --interval");
        }
    }
}
