package dev.jvisor.operator.admission;

import dev.jvisor.operator.tls.WebhookCertificates;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Issues a fresh CA and a serving certificate for localhost before the application starts, with the operator's
 * own certificate code, and points the HTTPS server at them. Tests trust only that CA, so TLS is verified for
 * real (chain and host name), not switched off.
 */
public class TlsTestResource implements QuarkusTestResourceLifecycleManager {

    private Path directory;

    @Override
    public Map<String, String> start() {
        try {
            directory = Files.createTempDirectory("jvisor-webhook-tls");
            WebhookCertificates.Issued issued = WebhookCertificates.issue(List.of("localhost"), Instant.now(),
                    Duration.ofHours(1));
            Files.writeString(directory.resolve("tls.crt"), issued.certificatePem());
            Files.writeString(directory.resolve("tls.key"), issued.keyPem());
            Files.writeString(directory.resolve("ca.crt"), issued.caPem());
            return Map.of(
                    "jvisor.operator.webhook.certificate-directory", directory.toString(),
                    "jvisor.test.ca-file", directory.resolve("ca.crt").toString(),
                    "quarkus.http.test-ssl-port", "0");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (directory == null) {
            return;
        }
        try (var files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
