package dev.jvisor.runsc.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvisor.runsc.cli.UsageException;
import org.junit.jupiter.api.Test;

class SignalNamesTest {
    @Test
    void numbersNamesAndSigPrefixedNames() throws Exception {
        assertThat(SignalNames.parse("9")).isEqualTo(9);
        assertThat(SignalNames.parse("15")).isEqualTo(15);
        assertThat(SignalNames.parse("64")).isEqualTo(64);
        assertThat(SignalNames.parse("KILL")).isEqualTo(9);
        assertThat(SignalNames.parse("SIGTERM")).isEqualTo(15);
        assertThat(SignalNames.parse("sigwinch")).isEqualTo(28);
        assertThat(SignalNames.parse("USR1")).isEqualTo(10);
    }

    @Test
    void anythingElseIsAUsageError() {
        for (String bad : new String[] {"0", "65", "-1", "1.5", "", "SIG", "SIGFOO", "9 ", "١"}) {
            assertThatThrownBy(() -> SignalNames.parse(bad)).as(bad).isInstanceOf(UsageException.class)
                    .hasMessageContaining("invalid signal");
        }
        assertThatThrownBy(() -> SignalNames.parse("9".repeat(5000))).isInstanceOf(UsageException.class)
                .hasMessageContaining("…");
    }
}
