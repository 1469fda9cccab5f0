package dev.jvisor.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.operator.tls.WebhookCertificateUnavailableException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

/** The one line a failed start-up is summed up in. */
class StartupFailuresTest {

    @Test
    void theOperatorsOwnTypedFailureIsPreferred() {
        Throwable failure = new RuntimeException("Failed to start quarkus",
                new IllegalStateException("recorder failed",
                        new WebhookCertificateUnavailableException("no readable /x/tls.crt",
                                new ConnectException("Connection refused"))));
        assertThat(StartupFailures.describe(failure))
                .isEqualTo("webhook certificate unavailable: no readable /x/tls.crt");
    }

    @Test
    void otherwiseTheStepUnderTheWrapperAndTheRootCause() {
        Throwable failure = new RuntimeException("Failed to start quarkus",
                new IllegalStateException("Error starting operator", new ConnectException("Connection refused")));
        assertThat(StartupFailures.describe(failure))
                .isEqualTo("Error starting operator (ConnectException: Connection refused)");
    }

    @Test
    void oneLineEvenForMultiLineOrMissingMessages() {
        assertThat(StartupFailures.describe(new IllegalStateException("first\n  second")))
                .isEqualTo("first second");
        assertThat(StartupFailures.describe(new RuntimeException("wrapper", new NullPointerException())))
                .isEqualTo("java.lang.NullPointerException");
    }

    @Test
    void aCauseCycleEnds() {
        IllegalStateException first = new IllegalStateException("first");
        IllegalStateException second = new IllegalStateException("second", first);
        first.initCause(second);
        assertThat(StartupFailures.describe(first)).isEqualTo("second");
    }
}
