package dev.jvisor.operator;

import dev.jvisor.operator.config.OperatorConfig;
import dev.jvisor.operator.tls.WebhookCertificateManager;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Clock;

/**
 * Entry point. The HTTPS server loads its certificate while the application starts, so a certificate the
 * operator manages must exist on disk before that: this makes it (from the same typed configuration), then starts
 * the application.
 */
@QuarkusMain
public final class OperatorMain {

    private OperatorMain() {
    }

    public static void main(String... args) {
        OperatorConfig operatorConfig = loadConfig();
        if (operatorConfig.webhook().manageCertificate()) {
            try (KubernetesClient client = new KubernetesClientBuilder().build()) {
                new WebhookCertificateManager(client, operatorConfig, Clock.systemUTC()).ensure();
            }
        }
        Quarkus.run(args);
    }

    /** The operator's configuration from application.properties, system properties and the environment. */
    static OperatorConfig loadConfig() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .addDefaultSources()
                .addDiscoveredSources()
                .withMapping(OperatorConfig.class)
                .build();
        return config.getConfigMapping(OperatorConfig.class);
    }
}
