package dev.jvisor.abi.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The Gofer's errno type ({@code dev.jvisor.abi.Errno}, in runtime-gofer, which this module
 * depends on and which cannot depend on it) and the Sentry's ({@link Errno}) are two copies of one
 * table, <code>&lt;asm-generic/errno-base.h&gt;</code> and <code>&lt;asm-generic/errno.h&gt;</code>:
 * the Sentry turns a Gofer's Rlerror into its own errno by number, so the copies must name every
 * number alike. The Sentry's own extras, the kernel-internal restart codes, must stay out of the
 * Gofer's, which decodes Rlerror from the wire: a reply carrying 512 must be refused there, never
 * reach the Sentry as ERESTARTSYS.
 */
class ErrnoCopiesAgreeTest {

    private static final int HIGHEST_TO_PROBE = 1024;

    private static Map<Integer, String> gofersByNumber() {
        return Arrays.stream(dev.jvisor.abi.Errno.values()).collect(Collectors.toMap(
                dev.jvisor.abi.Errno::number, Enum::name, (a, b) -> a + "/" + b, TreeMap::new));
    }

    private static Map<Integer, String> sentrysByNumber(boolean withRestartCodes) {
        return Arrays.stream(Errno.values()).filter(e -> withRestartCodes || !e.isRestart())
                .collect(Collectors.toMap(Errno::number, Enum::name, (a, b) -> a + "/" + b, TreeMap::new));
    }

    @Test
    void everyApplicationVisibleErrnoHasTheSameNameAndNumberInBoth() {
        assertThat(gofersByNumber()).isEqualTo(sentrysByNumber(false)).hasSize(131);
    }

    @Test
    void lookupByNumberAgreesForEveryNumber() {
        Function<Integer, String> gofer = n -> {
            dev.jvisor.abi.Errno e = dev.jvisor.abi.Errno.ofOr(n, null);
            return e == null ? "none" : e.name();
        };
        for (int n = -2; n <= HIGHEST_TO_PROBE; n++) {
            Errno s = Errno.of(n);
            String expected = s == null || s.isRestart() ? "none" : s.name();
            assertThat(gofer.apply(n)).as("errno %d", n).isEqualTo(expected);
        }
    }

    @Test
    void restartCodesAreTheSentrysAloneAndTheGoferRefusesThem() {
        assertThat(sentrysByNumber(true).keySet()).contains(512, 513, 514, 516);
        for (int restart : new int[] {512, 513, 514, 516}) {
            assertThat(dev.jvisor.abi.Errno.ofOr(restart, null)).as("gofer errno %d", restart).isNull();
        }
    }

    @Test
    void aliasesNameTheSameErrorInBoth() {
        assertThat(dev.jvisor.abi.Errno.EWOULDBLOCK.number()).isEqualTo(Errno.EAGAIN.number());
        assertThat(dev.jvisor.abi.Errno.EDEADLOCK.number()).isEqualTo(Errno.EDEADLK.number());
    }
}
