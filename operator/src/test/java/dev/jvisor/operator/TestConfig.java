package dev.jvisor.operator;

import dev.jvisor.operator.config.OperatorConfig;
import java.time.Duration;
import java.util.List;

/** The operator's configuration defaults, for tests that build components without CDI. */
public class TestConfig implements OperatorConfig {

    private final String certificateDirectory;

    public TestConfig() {
        this(System.getProperty("java.io.tmpdir") + "/jvisor-webhook-tls-test");
    }

    public TestConfig(String certificateDirectory) {
        this.certificateDirectory = certificateDirectory;
    }

    @Override
    public String namespace() {
        return "jvisor-system";
    }

    @Override
    public List<String> exemptNamespaces() {
        return List.of("kube-system", "kube-node-lease");
    }

    @Override
    public String eventNamespace() {
        return "default";
    }

    @Override
    public boolean translateLegacyUntrustedAnnotation() {
        return true;
    }

    @Override
    public String leaderElectionLease() {
        return "jvisor-operator-leader";
    }

    @Override
    public Duration retryAfterFailure() {
        return Duration.ofSeconds(2);
    }

    @Override
    public Webhook webhook() {
        return new Webhook() {
            @Override
            public boolean manageCertificate() {
                return true;
            }

            @Override
            public String serviceName() {
                return "jvisor-operator-webhook";
            }

            @Override
            public String secretName() {
                return "jvisor-operator-webhook-tls";
            }

            @Override
            public String mutatingConfigurationName() {
                return "jvisor-operator";
            }

            @Override
            public String validatingConfigurationName() {
                return "jvisor-operator";
            }

            @Override
            public Duration certificateValidity() {
                return Duration.ofDays(90);
            }

            @Override
            public Duration renewBefore() {
                return Duration.ofDays(30);
            }

            @Override
            public String certificateDirectory() {
                return certificateDirectory;
            }
        };
    }
}
