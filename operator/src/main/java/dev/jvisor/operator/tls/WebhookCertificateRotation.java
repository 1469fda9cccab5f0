package dev.jvisor.operator.tls;

import dev.jvisor.operator.config.OperatorConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Re-checks the webhook certificate every hour while the operator runs (the first check happens in
 * {@link WebhookKeyStoreProvider} before the HTTPS server starts). The HTTPS server reloads the files on the same
 * period ({@code quarkus.tls.reload-period}).
 */
@ApplicationScoped
public class WebhookCertificateRotation {

    private static final Logger LOG = Logger.getLogger(WebhookCertificateRotation.class);
    private static final long PERIOD_MINUTES = 60;

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("webhook-certificate").daemon().factory());

    void start(@Observes StartupEvent ignored, KubernetesClient client, OperatorConfig config) {
        if (!config.webhook().manageCertificate()) {
            return;
        }
        WebhookCertificateManager manager = new WebhookCertificateManager(client, config, Clock.systemUTC());
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                manager.ensure();
            } catch (RuntimeException e) {
                LOG.errorf(e, "webhook certificate check failed; retrying in %d minutes", PERIOD_MINUTES);
            }
        }, PERIOD_MINUTES, PERIOD_MINUTES, TimeUnit.MINUTES);
    }

    void stop(@Observes ShutdownEvent ignored) {
        scheduler.shutdownNow();
    }
}
