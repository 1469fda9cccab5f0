package dev.jvisor.operator.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.operator.TestConfig;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The certificate lifecycle against fabric8's mock API server: issue, keep, rotate, repair, publish. */
@EnableKubernetesMockClient(crud = true)
class WebhookCertificateManagerTest {

    static KubernetesClient client;

    @TempDir
    Path directory;

    TestConfig config;

    @BeforeEach
    void cluster() {
        config = new TestConfig(directory.toString());
        client.secrets().inNamespace(config.namespace()).delete();
        client.admissionRegistration().v1().mutatingWebhookConfigurations().delete();
        client.admissionRegistration().v1().validatingWebhookConfigurations().delete();
        client.resource(new NamespaceBuilder().withNewMetadata().withName(config.namespace()).endMetadata().build())
                .createOr(r -> r.update());
        client.resource(new MutatingWebhookConfigurationBuilder().withNewMetadata().withName("jvisor-operator")
                .endMetadata().addNewWebhook().withName("pods.jvisor.dev").withNewClientConfig().withNewService()
                .withName("jvisor-operator-webhook").withNamespace("jvisor-system").endService().endClientConfig()
                .endWebhook().build()).create();
        client.resource(new ValidatingWebhookConfigurationBuilder().withNewMetadata().withName("jvisor-operator")
                .endMetadata().addNewWebhook().withName("pods.jvisor.dev").withNewClientConfig().endClientConfig()
                .endWebhook().addNewWebhook().withName("sandboxpolicies.jvisor.dev").withNewClientConfig()
                .endClientConfig().endWebhook().build()).create();
    }

    WebhookCertificateManager manager(Instant now) {
        return new WebhookCertificateManager(client, config, Clock.fixed(now, ZoneOffset.UTC));
    }

    static List<X509Certificate> certificates(String pem) throws Exception {
        return new ArrayList<>(CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
                .stream().map(X509Certificate.class::cast).toList());
    }

    List<String> publishedBundles() {
        List<String> bundles = new ArrayList<>();
        client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("jvisor-operator").get()
                .getWebhooks().forEach(w -> bundles.add(w.getClientConfig().getCaBundle()));
        client.admissionRegistration().v1().validatingWebhookConfigurations().withName("jvisor-operator").get()
                .getWebhooks().forEach(w -> bundles.add(w.getClientConfig().getCaBundle()));
        return bundles;
    }

    @Test
    void issuesAServiceCertificateSignedByThePublishedCa() throws Exception {
        Map<String, String> material = manager(Instant.now()).ensure();

        X509Certificate serving = certificates(material.get("tls.crt")).getFirst();
        X509Certificate ca = certificates(material.get("ca.crt")).getFirst();
        serving.verify(ca.getPublicKey());
        assertThat(serving.getSubjectAlternativeNames()).extracting(san -> String.valueOf(san.get(1)))
                .contains("jvisor-operator-webhook.jvisor-system.svc",
                        "jvisor-operator-webhook.jvisor-system.svc.cluster.local");
        assertThat(serving.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1");
        assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);

        Secret secret = client.secrets().inNamespace("jvisor-system").withName("jvisor-operator-webhook-tls").get();
        assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(secret.getData()).containsOnlyKeys("ca.crt", "tls.crt", "tls.key");
        assertThat(Files.readString(directory.resolve("tls.crt"))).isEqualTo(material.get("tls.crt"));
        assertThat(Files.getPosixFilePermissions(directory.resolve("tls.key")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

        String expectedBundle = Base64.getEncoder().encodeToString(material.get("ca.crt")
                .getBytes(StandardCharsets.US_ASCII));
        assertThat(publishedBundles()).hasSize(3).containsOnly(expectedBundle);
    }

    @Test
    void keepsAValidCertificateAndRotatesOneNearExpiryKeepingTheOldCaTrusted() throws Exception {
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        Map<String, String> first = manager(start).ensure();
        assertThat(manager(start.plus(Duration.ofDays(30))).ensure()).isEqualTo(first);

        Map<String, String> rotated = manager(start.plus(Duration.ofDays(61))).ensure();
        assertThat(rotated.get("tls.crt")).isNotEqualTo(first.get("tls.crt"));
        List<X509Certificate> bundle = certificates(rotated.get("ca.crt"));
        assertThat(bundle).hasSize(2);
        certificates(rotated.get("tls.crt")).getFirst().verify(bundle.get(0).getPublicKey());
        certificates(first.get("tls.crt")).getFirst().verify(bundle.get(1).getPublicKey());

        Map<String, String> again = manager(start.plus(Duration.ofDays(122))).ensure();
        assertThat(certificates(again.get("ca.crt"))).as("only the previous CA is carried over").hasSize(2);
    }

    @Test
    void replacesAnUnreadableSecret() throws Exception {
        client.resource(new SecretBuilder().withNewMetadata().withName("jvisor-operator-webhook-tls")
                .withNamespace("jvisor-system").endMetadata()
                .addToData("ca.crt", Base64.getEncoder().encodeToString("junk".getBytes()))
                .addToData("tls.crt", Base64.getEncoder().encodeToString("junk".getBytes()))
                .addToData("tls.key", Base64.getEncoder().encodeToString("junk".getBytes()))
                .build()).create();
        Map<String, String> material = manager(Instant.now()).ensure();
        assertThat(certificates(material.get("tls.crt"))).hasSize(1);
    }

    @Test
    void missingWebhookConfigurationsAreNotFatal() {
        client.admissionRegistration().v1().mutatingWebhookConfigurations().delete();
        client.admissionRegistration().v1().validatingWebhookConfigurations().delete();
        assertThat(manager(Instant.now()).ensure()).containsKey("tls.key");
    }
}
