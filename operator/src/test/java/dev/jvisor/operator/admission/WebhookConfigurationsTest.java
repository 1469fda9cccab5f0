package dev.jvisor.operator.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.operator.TestConfig;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.client.utils.Serialization;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * operator/webhooks/webhooks.yaml is rendered from {@link WebhookConfigurations}; this fails on drift (regenerate
 * with {@code -Djvisor.updateWebhooks=true}) and checks the routes match the endpoints and fail closed.
 */
class WebhookConfigurationsTest {

    static final java.nio.file.Path MANIFEST = java.nio.file.Path.of("webhooks", "webhooks.yaml");

    static String render() {
        TestConfig config = new TestConfig();
        return "# Generated from dev.jvisor.operator.admission.WebhookConfigurations by WebhookConfigurationsTest;"
                + " do not edit.\n# caBundle is filled in by the operator (or by cert-manager's CA injector).\n"
                + WebhookConfigurations.manifests(config.namespace(), config.webhook().serviceName(),
                        config.exemptNamespaces()).stream().map(Serialization::asYaml)
                        .collect(Collectors.joining());
    }

    @Test
    void checkedInManifestIsGeneratedFromTheCode() throws IOException {
        String rendered = render();
        if (Boolean.getBoolean("jvisor.updateWebhooks")) {
            Files.createDirectories(MANIFEST.getParent());
            Files.writeString(MANIFEST, rendered);
        }
        assertThat(MANIFEST).as("regenerate with -Djvisor.updateWebhooks=true").exists();
        assertThat(Files.readString(MANIFEST)).as("%s drifted; regenerate with -Djvisor.updateWebhooks=true",
                MANIFEST).isEqualTo(rendered);
    }

    @Test
    void everyRouteReachesAnEndpointAndPodWebhooksFailClosed() throws Exception {
        var manifests = WebhookConfigurations.manifests("jvisor-system", "svc", List.of("kube-system"));
        var mutating = (MutatingWebhookConfiguration) manifests.get(0);
        var validating = (ValidatingWebhookConfiguration) manifests.get(1);
        List<String> endpoints = List.of(
                "/admission/" + AdmissionResource.class.getMethod("mutatePods", String.class)
                        .getAnnotation(Path.class).value(),
                "/admission/" + AdmissionResource.class.getMethod("validatePods", String.class)
                        .getAnnotation(Path.class).value(),
                "/admission/" + AdmissionResource.class.getMethod("validatePolicies", String.class)
                        .getAnnotation(Path.class).value());
        assertThat(mutating.getWebhooks()).allSatisfy(w -> {
            assertThat(endpoints).contains(w.getClientConfig().getService().getPath());
            assertThat(w.getFailurePolicy()).isEqualTo("Fail");
            assertThat(w.getRules().getFirst().getOperations()).containsExactly("CREATE");
        });
        assertThat(validating.getWebhooks()).allSatisfy(w -> {
            assertThat(endpoints).contains(w.getClientConfig().getService().getPath());
            assertThat(w.getFailurePolicy()).isEqualTo("Fail");
        });
        assertThat(mutating.getWebhooks().getFirst().getNamespaceSelector().getMatchExpressions().getFirst()
                .getValues()).containsExactly("kube-system", "jvisor-system");
    }
}
