package dev.jvisor.operator.tls;

import dev.jvisor.operator.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Keeps the webhook serving certificate valid: the Secret is the source of truth shared by all replicas; a
 * missing, unreadable or nearly expired certificate is replaced; the key pair is written where the HTTPS server
 * reloads it; and every webhook in the operator's webhook configurations gets the CA bundle. After a rotation the
 * bundle holds the previous CA too, so replicas still serving the old certificate stay trusted until they reload.
 */
public class WebhookCertificateManager {

    public static final String CA_KEY = "ca.crt";
    public static final String CERT_KEY = "tls.crt";
    public static final String KEY_KEY = "tls.key";
    private static final Logger LOG = Logger.getLogger(WebhookCertificateManager.class);
    private static final Pattern PEM_CERTIFICATE = Pattern.compile(
            "-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\\s*");

    private final KubernetesClient client;
    private final OperatorConfig config;
    private final Clock clock;

    public WebhookCertificateManager(KubernetesClient client, OperatorConfig config, Clock clock) {
        this.client = client;
        this.config = config;
        this.clock = clock;
    }

    /** The DNS names the API server uses to reach the webhook Service. */
    public List<String> dnsNames() {
        String service = config.webhook().serviceName();
        String namespace = config.namespace();
        return List.of(service + "." + namespace + ".svc", service, service + "." + namespace,
                service + "." + namespace + ".svc.cluster.local");
    }

    /** Makes the certificate valid, on disk and advertised; returns what is now in force. */
    public Map<String, String> ensure() {
        Map<String, String> material = ensureSecret();
        writeFiles(material);
        publishCaBundle(material.get(CA_KEY));
        return material;
    }

    private Map<String, String> ensureSecret() {
        var secrets = client.secrets().inNamespace(config.namespace());
        Secret existing = secrets.withName(config.webhook().secretName()).get();
        Map<String, String> current = decode(existing);
        if (current != null && !needsRenewal(current)) {
            return current;
        }
        WebhookCertificates.Issued issued = WebhookCertificates.issue(dnsNames(), Instant.now(clock),
                config.webhook().certificateValidity());
        String bundle = issued.caPem() + (current == null ? "" : newestCertificate(current.get(CA_KEY)));
        Map<String, String> fresh = Map.of(CA_KEY, bundle, CERT_KEY, issued.certificatePem(), KEY_KEY,
                issued.keyPem());
        Secret secret = new SecretBuilder()
                .withNewMetadata()
                .withName(config.webhook().secretName())
                .withNamespace(config.namespace())
                .addToLabels("app.kubernetes.io/managed-by", "jvisor-operator")
                .withResourceVersion(existing == null ? null : existing.getMetadata().getResourceVersion())
                .endMetadata()
                .withType("kubernetes.io/tls")
                .withData(encode(fresh))
                .build();
        try {
            if (existing == null) {
                secrets.resource(secret).create();
            } else {
                secrets.resource(secret).update();
            }
            LOG.infof("issued webhook certificate for %s, valid until %s", dnsNames().getFirst(), issued.notAfter());
            return fresh;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                // Another replica rotated at the same moment; its certificate is as good as ours.
                Map<String, String> winner = decode(secrets.withName(config.webhook().secretName()).get());
                if (winner != null) {
                    return winner;
                }
            }
            throw e;
        }
    }

    private boolean needsRenewal(Map<String, String> material) {
        try {
            Instant notAfter = WebhookCertificates.notAfter(material.get(CERT_KEY));
            return notAfter.minus(config.webhook().renewBefore()).isBefore(Instant.now(clock));
        } catch (CertificateGenerationException e) {
            LOG.warnf("webhook Secret %s holds an unreadable certificate; replacing it", config.webhook().secretName());
            return true;
        }
    }

    private void writeFiles(Map<String, String> material) {
        Path directory = Path.of(config.webhook().certificateDirectory());
        try {
            Files.createDirectories(directory);
            write(directory.resolve(CERT_KEY), material.get(CERT_KEY));
            write(directory.resolve(KEY_KEY), material.get(KEY_KEY));
            write(directory.resolve(CA_KEY), material.get(CA_KEY));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the webhook certificate to " + directory, e);
        }
    }

    /** Write-then-rename, so the HTTPS server never reloads half a file; the key is readable by us only. */
    private static void write(Path target, String content) throws IOException {
        Path temporary = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(temporary, content, StandardCharsets.US_ASCII);
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void publishCaBundle(String caPem) {
        String bundle = Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.US_ASCII));
        var mutating = client.admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName(config.webhook().mutatingConfigurationName());
        MutatingWebhookConfiguration m = mutating.get();
        if (m == null) {
            LOG.warnf("MutatingWebhookConfiguration %s not found; caBundle not published",
                    config.webhook().mutatingConfigurationName());
        } else if (m.getWebhooks().stream().anyMatch(w -> !bundle.equals(w.getClientConfig().getCaBundle()))) {
            mutating.edit(c -> {
                c.getWebhooks().forEach(w -> w.getClientConfig().setCaBundle(bundle));
                return c;
            });
        }
        var validating = client.admissionRegistration().v1().validatingWebhookConfigurations()
                .withName(config.webhook().validatingConfigurationName());
        ValidatingWebhookConfiguration v = validating.get();
        if (v == null) {
            LOG.warnf("ValidatingWebhookConfiguration %s not found; caBundle not published",
                    config.webhook().validatingConfigurationName());
        } else if (v.getWebhooks().stream().anyMatch(w -> !bundle.equals(w.getClientConfig().getCaBundle()))) {
            validating.edit(c -> {
                c.getWebhooks().forEach(w -> w.getClientConfig().setCaBundle(bundle));
                return c;
            });
        }
    }

    /** The Secret's PEM texts, or null when it is missing or incomplete. */
    private static Map<String, String> decode(Secret secret) {
        if (secret == null || secret.getData() == null) {
            return null;
        }
        Map<String, String> data = secret.getData();
        if (!data.containsKey(CA_KEY) || !data.containsKey(CERT_KEY) || !data.containsKey(KEY_KEY)) {
            return null;
        }
        try {
            return Map.of(CA_KEY, decode(data.get(CA_KEY)), CERT_KEY, decode(data.get(CERT_KEY)), KEY_KEY,
                    decode(data.get(KEY_KEY)));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII);
    }

    private static Map<String, String> encode(Map<String, String> pem) {
        Map<String, String> data = new java.util.TreeMap<>();
        pem.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.US_ASCII))));
        return data;
    }

    /** The first certificate of a bundle: the CA in force before this rotation (older ones are dropped). */
    private static String newestCertificate(String bundle) {
        Matcher matcher = PEM_CERTIFICATE.matcher(bundle == null ? "" : bundle);
        List<String> certificates = new ArrayList<>();
        while (matcher.find()) {
            certificates.add(matcher.group());
        }
        return certificates.isEmpty() ? "" : certificates.getFirst();
    }
}
