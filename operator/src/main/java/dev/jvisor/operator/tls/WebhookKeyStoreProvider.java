package dev.jvisor.operator.tls;

import dev.jvisor.operator.config.OperatorConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.tls.runtime.KeyStoreAndKeyCertOptions;
import io.quarkus.tls.runtime.KeyStoreProvider;
import io.smallrye.common.annotation.Identifier;
import io.vertx.core.Vertx;
import io.vertx.core.net.PemKeyCertOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The webhook HTTPS server's key store ({@code quarkus.tls.webhook}). The TLS registry asks for it while the
 * application starts, before the server binds, and again on every reload period. The first time, when the operator
 * manages its certificate, it makes sure a valid certificate exists (in the Secret and on disk) — so that step runs
 * inside the application, with logging configured and the application's own Kubernetes client, and a failure fails
 * start-up instead of happening before it. Every call then loads the PEM files, which
 * {@link WebhookCertificateRotation} (or cert-manager's mounted Secret) keeps current.
 */
@ApplicationScoped
@Identifier(WebhookKeyStoreProvider.TLS_CONFIGURATION)
public class WebhookKeyStoreProvider implements KeyStoreProvider {

    /** The TLS configuration name the HTTP server uses ({@code quarkus.http.tls-configuration-name}). */
    public static final String TLS_CONFIGURATION = "webhook";

    private final OperatorConfig config;
    private final Instance<KubernetesClient> client;
    private final AtomicBoolean ensured = new AtomicBoolean();

    /** The client is looked up lazily: with cert-manager the operator needs no API access to serve TLS. */
    WebhookKeyStoreProvider(OperatorConfig config, Instance<KubernetesClient> client) {
        this.config = config;
        this.client = client;
    }

    @Override
    public KeyStoreAndKeyCertOptions getKeyStore(Vertx vertx) {
        if (config.webhook().manageCertificate() && ensured.compareAndSet(false, true)) {
            ensureCertificate();
        }
        Path directory = Path.of(config.webhook().certificateDirectory());
        Path certificate = directory.resolve(WebhookCertificateManager.CERT_KEY);
        Path key = directory.resolve(WebhookCertificateManager.KEY_KEY);
        if (!Files.isReadable(certificate) || !Files.isReadable(key)) {
            throw new WebhookCertificateUnavailableException("no readable " + certificate + " and " + key
                    + (config.webhook().manageCertificate() ? "" : " (the certificate is expected to be mounted)"),
                    null);
        }
        PemKeyCertOptions options = new PemKeyCertOptions()
                .setCertPath(certificate.toString())
                .setKeyPath(key.toString());
        try {
            KeyStore keyStore = options.loadKeyStore(vertx);
            return new KeyStoreAndKeyCertOptions(keyStore, options);
        } catch (Exception e) {
            throw new WebhookCertificateUnavailableException("cannot load " + certificate + " and " + key + ": "
                    + e.getMessage(), e);
        }
    }

    private void ensureCertificate() {
        KubernetesClient kubernetes = client.get();
        try {
            new WebhookCertificateManager(kubernetes, config, Clock.systemUTC()).ensure();
        } catch (KubernetesClientException e) {
            throw new WebhookCertificateUnavailableException("cannot read or write Secret " + config.namespace()
                    + "/" + config.webhook().secretName() + " through the API server at "
                    + kubernetes.getMasterUrl() + ": " + rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        return cause == failure ? message : failure.getMessage() + " (" + cause.getClass().getSimpleName()
                + (message == null ? "" : ": " + message) + ")";
    }
}
