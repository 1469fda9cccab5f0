package dev.jvisor.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.operator.tls.WebhookCertificates;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged operator ({@code target/quarkus-app/quarkus-run.jar}, what the image runs) as a container
 * entrypoint: when a start-up step fails it must exit non-zero within a bound, with one ERROR line naming the
 * step, in the application's log format from the first line — no lingering threads keeping the JVM alive, no
 * DEBUG/TRACE records dumped by a log manager that was never configured.
 */
class OperatorStartupFailureIT {

    /** Generous for a loaded 2-core machine; a failed start takes about three seconds. */
    private static final Duration EXIT_BOUND = Duration.ofSeconds(60);
    private static final Pattern FAILURE_LINE = Pattern.compile(
            "^\\d{4}-\\d\\d-\\d\\d [\\d:,]+ ERROR \\[dev\\.jvisor\\.operator\\.OperatorMain\\] \\(main\\) "
                    + "jVisor operator failed to start: (.+)$", Pattern.MULTILINE);
    private static final Pattern VERBOSE_RECORD = Pattern.compile("^\\S+ \\S+ (DEBUG|TRACE) ", Pattern.MULTILINE);

    @TempDir
    Path work;

    @Test
    void unreachableApiServerFailsTheCertificateStepAndExits() throws Exception {
        Started run = start(Map.of("KUBERNETES_MASTER", "https://127.0.0.1:" + refusingPort()));

        assertThat(run.exitStatus()).as(run.output()).isNotZero();
        assertThat(failureLine(run)).startsWith("webhook certificate unavailable: cannot read or write Secret "
                + "jvisor-system/jvisor-operator-webhook-tls through the API server at https://127.0.0.1:")
                .contains("Connection refused");
        assertCleanLog(run);
    }

    @Test
    void missingMountedCertificateFailsWithoutTouchingTheApiServer() throws Exception {
        Path mounted = Files.createDirectories(work.resolve("cert-manager"));
        Started run = start(Map.of(
                "JVISOR_OPERATOR_WEBHOOK_MANAGE_CERTIFICATE", "false",
                "JVISOR_OPERATOR_WEBHOOK_CERTIFICATE_DIRECTORY", mounted.toString(),
                "KUBERNETES_MASTER", "https://127.0.0.1:" + refusingPort()));

        assertThat(run.exitStatus()).as(run.output()).isNotZero();
        assertThat(failureLine(run)).isEqualTo("webhook certificate unavailable: no readable "
                + mounted.resolve("tls.crt") + " and " + mounted.resolve("tls.key")
                + " (the certificate is expected to be mounted)");
        assertCleanLog(run);
    }

    @Test
    void unreachableApiServerFailsTheOperatorStartWhenTheCertificateIsMounted() throws Exception {
        Path mounted = Files.createDirectories(work.resolve("cert-manager"));
        WebhookCertificates.Issued issued = WebhookCertificates.issue(List.of("localhost"), Instant.now(),
                Duration.ofHours(1));
        Files.writeString(mounted.resolve("tls.crt"), issued.certificatePem());
        Files.writeString(mounted.resolve("tls.key"), issued.keyPem());
        Started run = start(Map.of(
                "JVISOR_OPERATOR_WEBHOOK_MANAGE_CERTIFICATE", "false",
                "JVISOR_OPERATOR_WEBHOOK_CERTIFICATE_DIRECTORY", mounted.toString(),
                "KUBERNETES_MASTER", "https://127.0.0.1:" + refusingPort()));

        assertThat(run.exitStatus()).as(run.output()).isNotZero();
        assertThat(failureLine(run)).as("names the step, not only the generic wrapper")
                .doesNotContain("Failed to start quarkus").contains("operator").contains("Connection refused");
        assertCleanLog(run);
    }

    private record Started(int exitStatus, String output) {
    }

    /**
     * Runs the packaged operator with only the settings given (plus free ports), isolated from any kube config of
     * this machine, and waits for it to exit; a process still running at the bound fails the test.
     */
    private Started start(Map<String, String> settings) throws IOException, InterruptedException {
        Path app = Path.of(System.getProperty("jvisor.operator.app", "target/quarkus-app"), "quarkus-run.jar");
        assertThat(app).as("the packaged operator (mvn package)").isRegularFile();
        Path output = work.resolve("output.log");
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", app.toString())
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(name -> name.startsWith("KUBERNETES_") || name.startsWith("JVISOR_")
                || name.startsWith("QUARKUS_") || name.equals("KUBECONFIG"));
        environment.put("HOME", work.toString());
        environment.put("KUBECONFIG", work.resolve("no-kube-config").toString());
        // One attempt instead of the client's backoff: the tests are about exiting, not about retrying.
        environment.put("KUBERNETES_REQUEST_RETRY_BACKOFFLIMIT", "0");
        environment.put("JVISOR_OPERATOR_WEBHOOK_CERTIFICATE_DIRECTORY", work.resolve("tls").toString());
        environment.put("QUARKUS_HTTP_SSL_PORT", "0");
        environment.put("QUARKUS_MANAGEMENT_PORT", "0");
        environment.putAll(settings);
        Process process = builder.start();
        try {
            boolean exited = process.waitFor(EXIT_BOUND.toSeconds(), TimeUnit.SECONDS);
            String printed = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(exited).as("operator still running %s after a failed start:%n%s", EXIT_BOUND, printed)
                    .isTrue();
            return new Started(process.exitValue(), printed);
        } finally {
            process.destroyForcibly();
        }
    }

    private static String failureLine(Started run) {
        List<String> failures = FAILURE_LINE.matcher(run.output()).results().map(m -> m.group(1)).toList();
        assertThat(failures).as("exactly one start-up failure line in:%n%s", run.output()).hasSize(1);
        return failures.getFirst();
    }

    private static void assertCleanLog(Started run) {
        assertThat(VERBOSE_RECORD.matcher(run.output()).find()).as("DEBUG/TRACE records in:%n%s", run.output())
                .isFalse();
        assertThat(run.output()).doesNotContain("DelayedHandler");
    }

    /** A port nothing listens on: bound to find a free one, then closed. */
    private static int refusingPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
