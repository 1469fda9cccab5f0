package dev.jvisor.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CertificateModeTest {

    private static PodSpec operatorPod(RenderedChart chart) {
        return chart.one(Deployment.class, "jvisor-operator").getSpec().getTemplate().getSpec();
    }

    private static String env(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow()
                .getValue();
    }

    private static Volume tlsVolume(PodSpec pod) {
        Container operator = pod.getContainers().getFirst();
        String directory = env(operator, "JVISOR_OPERATOR_WEBHOOK_CERTIFICATE_DIRECTORY");
        String volumeName = operator.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(directory))
                .findFirst().orElseThrow().getName();
        return pod.getVolumes().stream().filter(v -> v.getName().equals(volumeName)).findFirst().orElseThrow();
    }

    @Test
    void selfSignedModeHasTheOperatorMakeTheCertificate() {
        RenderedChart chart = RenderedChart.withValuesFiles();
        PodSpec pod = operatorPod(chart);

        assertThat(chart.generic("Certificate")).isEmpty();
        assertThat(chart.generic("Issuer")).isEmpty();
        assertThat(env(pod.getContainers().getFirst(), "JVISOR_OPERATOR_WEBHOOK_MANAGE_CERTIFICATE"))
                .isEqualTo("true");
        assertThat(tlsVolume(pod).getEmptyDir()).as("operator writes its key to memory, not a host disk")
                .isNotNull()
                .satisfies(d -> assertThat(d.getMedium()).isEqualTo("Memory"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void certManagerModeRendersIssuerAndCertificateForTheWebhookService() {
        RenderedChart chart = RenderedChart.withValuesFiles("cert-manager.yaml");
        PodSpec pod = operatorPod(chart);

        List<GenericKubernetesResource> certificates = chart.generic("Certificate");
        assertThat(certificates).extracting(c -> c.getMetadata().getName())
                .containsExactlyInAnyOrder("jvisor-webhook-ca", "jvisor-operator-webhook");
        assertThat(chart.generic("Issuer")).extracting(i -> i.getMetadata().getName())
                .containsExactlyInAnyOrder("jvisor-selfsigned", "jvisor-webhook-ca");

        GenericKubernetesResource serving = certificates.stream()
                .filter(c -> c.getMetadata().getName().equals("jvisor-operator-webhook")).findFirst().orElseThrow();
        Map<String, Object> spec = (Map<String, Object>) serving.getAdditionalProperties().get("spec");
        assertThat((List<String>) spec.get("dnsNames"))
                .contains("jvisor-operator-webhook.jvisor-system.svc");
        assertThat((Map<String, Object>) spec.get("issuerRef")).containsEntry("name", "jvisor-webhook-ca");

        // The operator only reads the Secret cert-manager writes, and does not publish a caBundle.
        Container operator = pod.getContainers().getFirst();
        assertThat(env(operator, "JVISOR_OPERATOR_WEBHOOK_MANAGE_CERTIFICATE")).isEqualTo("false");
        assertThat(tlsVolume(pod).getSecret().getSecretName()).isEqualTo(spec.get("secretName"))
                .isEqualTo(env(operator, "JVISOR_OPERATOR_WEBHOOK_SECRET_NAME"));

        String injectFrom = "jvisor-system/jvisor-operator-webhook";
        assertThat(chart.one(MutatingWebhookConfiguration.class, "jvisor-operator").getMetadata().getAnnotations())
                .containsEntry("cert-manager.io/inject-ca-from", injectFrom);
        assertThat(chart.one(ValidatingWebhookConfiguration.class, "jvisor-operator").getMetadata()
                .getAnnotations()).containsEntry("cert-manager.io/inject-ca-from", injectFrom);
    }

    @Test
    @SuppressWarnings("unchecked")
    void anExistingIssuerReplacesTheChartsOwnCa() {
        RenderedChart chart = RenderedChart.render(Map.of("webhook.certMode", "cert-manager",
                "webhook.certManager.issuerRef.kind", "ClusterIssuer",
                "webhook.certManager.issuerRef.name", "corporate-ca"));

        assertThat(chart.generic("Issuer")).isEmpty();
        assertThat(chart.generic("Certificate")).singleElement().satisfies(c -> assertThat(
                (Map<String, Object>) ((Map<String, Object>) c.getAdditionalProperties().get("spec"))
                        .get("issuerRef")).containsEntry("kind", "ClusterIssuer").containsEntry("name", "corporate-ca"));
    }
}
