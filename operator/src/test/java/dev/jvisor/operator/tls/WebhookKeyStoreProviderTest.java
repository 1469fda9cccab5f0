package dev.jvisor.operator.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvisor.operator.TestConfig;
import dev.jvisor.operator.config.OperatorConfig;
import io.quarkus.tls.runtime.KeyStoreAndKeyCertOptions;
import io.vertx.core.Vertx;
import io.vertx.core.net.PemKeyCertOptions;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhook key store when the certificate is mounted (cert-manager): loaded from the directory on every call,
 * without the API server, and a missing or broken certificate is a typed error rather than a server without TLS.
 * (The managed path's failure is run end to end by OperatorStartupFailureIT.)
 */
class WebhookKeyStoreProviderTest {

    private static Vertx vertx;

    @TempDir
    Path directory;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void closeVertx() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void loadsTheMountedCertificateAndReloadsItsReplacement() throws Exception {
        write(WebhookCertificates.issue(List.of("first.example"), Instant.now(), Duration.ofHours(1)));
        WebhookKeyStoreProvider provider = mountedProvider();

        KeyStoreAndKeyCertOptions first = provider.getKeyStore(vertx);
        assertThat(first.options).isInstanceOfSatisfying(PemKeyCertOptions.class, options -> {
            assertThat(options.getCertPath()).isEqualTo(directory.resolve("tls.crt").toString());
            assertThat(options.getKeyPath()).isEqualTo(directory.resolve("tls.key").toString());
        });
        assertThat(subjectAlternativeNames(first)).contains("first.example");

        write(WebhookCertificates.issue(List.of("second.example"), Instant.now(), Duration.ofHours(1)));
        assertThat(subjectAlternativeNames(provider.getKeyStore(vertx))).contains("second.example")
                .doesNotContain("first.example");
    }

    @Test
    void aMissingCertificateIsATypedError() {
        assertThatThrownBy(() -> mountedProvider().getKeyStore(vertx))
                .isInstanceOf(WebhookCertificateUnavailableException.class)
                .hasMessageContaining("no readable " + directory.resolve("tls.crt"))
                .hasMessageContaining("expected to be mounted");
    }

    @Test
    void aBrokenCertificateIsATypedError() throws Exception {
        Files.writeString(directory.resolve("tls.crt"), "-----BEGIN CERTIFICATE-----\nnot base64!\n");
        Files.writeString(directory.resolve("tls.key"), "garbage");
        assertThatThrownBy(() -> mountedProvider().getKeyStore(vertx))
                .isInstanceOf(WebhookCertificateUnavailableException.class)
                .hasMessageContaining("cannot load " + directory.resolve("tls.crt"));
    }

    private void write(WebhookCertificates.Issued issued) throws Exception {
        Files.writeString(directory.resolve("tls.crt"), issued.certificatePem());
        Files.writeString(directory.resolve("tls.key"), issued.keyPem());
    }

    /** No Kubernetes client at all: in this mode the provider must not need one. */
    private WebhookKeyStoreProvider mountedProvider() {
        return new WebhookKeyStoreProvider(mountedConfig(directory), null);
    }

    private static List<String> subjectAlternativeNames(KeyStoreAndKeyCertOptions loaded) throws Exception {
        String alias = Collections.list(loaded.keyStore.aliases()).getFirst();
        X509Certificate certificate = (X509Certificate) loaded.keyStore.getCertificate(alias);
        return certificate.getSubjectAlternativeNames().stream().map(name -> String.valueOf(name.get(1))).toList();
    }

    /** The test defaults with {@code webhook.manage-certificate=false}, as the chart sets it for cert-manager. */
    private static OperatorConfig mountedConfig(Path directory) {
        OperatorConfig.Webhook defaults = new TestConfig(directory.toString()).webhook();
        OperatorConfig.Webhook mounted = (OperatorConfig.Webhook) Proxy.newProxyInstance(
                OperatorConfig.Webhook.class.getClassLoader(), new Class<?>[] {OperatorConfig.Webhook.class},
                (proxy, method, args) -> method.getName().equals("manageCertificate")
                        ? Boolean.FALSE : method.invoke(defaults, args));
        return new TestConfig(directory.toString()) {
            @Override
            public Webhook webhook() {
                return mounted;
            }
        };
    }
}
