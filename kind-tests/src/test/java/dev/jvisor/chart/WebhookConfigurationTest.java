package dev.jvisor.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookConfigurationTest {

    /** The configurations the operator's code describes (operator/webhooks/webhooks.yaml, generated). */
    private static List<HasMetadata> operatorsOwn() throws IOException {
        return RenderedChart.parse(Files.readString(Repository.file("operator/webhooks/webhooks.yaml")));
    }

    private static <T> T only(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).findFirst().orElseThrow();
    }

    @Test
    void webhooksMatchTheOperatorsEndpointsRulesAndNames() throws IOException {
        RenderedChart chart = RenderedChart.withValuesFiles();
        var expectedMutating = only(operatorsOwn(), MutatingWebhookConfiguration.class);
        var expectedValidating = only(operatorsOwn(), ValidatingWebhookConfiguration.class);
        var mutating = chart.one(MutatingWebhookConfiguration.class, "jvisor-operator");
        var validating = chart.one(ValidatingWebhookConfiguration.class, "jvisor-operator");

        // With the defaults the chart renders exactly what the operator generates.
        assertThat(mutating.getWebhooks()).usingRecursiveFieldByFieldElementComparator()
                .containsExactlyElementsOf(expectedMutating.getWebhooks());
        assertThat(validating.getWebhooks()).usingRecursiveFieldByFieldElementComparator()
                .containsExactlyElementsOf(expectedValidating.getWebhooks());
    }

    @Test
    void webhooksCallTheOperatorThroughItsServiceOverHttps() {
        for (String values : new String[] {"cert-manager.yaml", "renamed.yaml"}) {
            RenderedChart chart = RenderedChart.withValuesFiles(values);
            String prefix = values.equals("renamed.yaml") ? "sandbox" : "jvisor";
            Service service = chart.one(Service.class, prefix + "-operator-webhook");
            Deployment operator = chart.one(Deployment.class, prefix + "-operator");
            ServicePort port = service.getSpec().getPorts().getFirst();
            var containerPort = operator.getSpec().getTemplate().getSpec().getContainers().getFirst().getPorts()
                    .stream().filter(p -> p.getName().equals(port.getTargetPort().getStrVal())).findFirst()
                    .orElseThrow();

            assertThat(containerPort.getContainerPort()).as("Quarkus HTTPS port").isEqualTo(8443);
            assertThat(operator.getSpec().getTemplate().getMetadata().getLabels())
                    .containsAllEntriesOf(service.getSpec().getSelector());
            var mutating = chart.one(MutatingWebhookConfiguration.class, prefix + "-operator").getWebhooks();
            var validating = chart.one(ValidatingWebhookConfiguration.class, prefix + "-operator").getWebhooks();
            mutating.forEach(w -> {
                assertThat(w.getClientConfig().getService().getName()).isEqualTo(service.getMetadata().getName());
                assertThat(w.getClientConfig().getService().getNamespace()).isEqualTo(RenderedChart.NAMESPACE);
                assertThat(w.getClientConfig().getService().getPort()).isEqualTo(port.getPort());
            });
            validating.forEach(w -> {
                assertThat(w.getClientConfig().getService().getName()).isEqualTo(service.getMetadata().getName());
                assertThat(w.getClientConfig().getService().getNamespace()).isEqualTo(RenderedChart.NAMESPACE);
                assertThat(w.getClientConfig().getService().getPort()).isEqualTo(port.getPort());
            });
        }
    }

    @Test
    void failurePolicyFollowsTheValues() {
        RenderedChart failClosed = RenderedChart.withValuesFiles();
        RenderedChart failOpen = RenderedChart.withValuesFiles("k3s-fail-open.yaml");

        assertThat(failClosed.one(MutatingWebhookConfiguration.class, "jvisor-operator").getWebhooks())
                .extracting(MutatingWebhook::getFailurePolicy).containsOnly("Fail");
        assertThat(failClosed.one(ValidatingWebhookConfiguration.class, "jvisor-operator").getWebhooks())
                .extracting(ValidatingWebhook::getFailurePolicy).containsOnly("Fail");
        assertThat(failOpen.one(MutatingWebhookConfiguration.class, "jvisor-operator").getWebhooks())
                .extracting(MutatingWebhook::getFailurePolicy, MutatingWebhook::getTimeoutSeconds)
                .containsOnly(org.assertj.core.groups.Tuple.tuple("Ignore", 5));
        assertThat(failOpen.one(ValidatingWebhookConfiguration.class, "jvisor-operator").getWebhooks())
                .extracting(ValidatingWebhook::getFailurePolicy).containsOnly("Ignore");
    }

    @Test
    void podWebhooksNeverSeeTheControlPlaneOrJvisorsOwnNamespace() {
        RenderedChart chart = RenderedChart.render(Map.of(), "k3s-fail-open.yaml");
        var mutating = chart.one(MutatingWebhookConfiguration.class, "jvisor-operator").getWebhooks();
        var podValidation = chart.one(ValidatingWebhookConfiguration.class, "jvisor-operator").getWebhooks()
                .stream().filter(w -> w.getName().startsWith("pods.")).toList();

        assertThat(podValidation).hasSize(1);
        var selectors = new java.util.ArrayList<io.fabric8.kubernetes.api.model.LabelSelector>();
        mutating.forEach(w -> selectors.add(w.getNamespaceSelector()));
        podValidation.forEach(w -> selectors.add(w.getNamespaceSelector()));
        for (var selector : selectors) {
            var exclusion = selector.getMatchExpressions().stream()
                    .filter(e -> e.getKey().equals("kubernetes.io/metadata.name")).findFirst().orElseThrow();
            assertThat(exclusion.getOperator()).isEqualTo("NotIn");
            assertThat(exclusion.getValues()).contains("kube-system", "kube-node-lease", RenderedChart.NAMESPACE,
                    "monitoring");
        }

        // The operator is told the same list, so it also leaves those pods alone if called.
        var env = chart.one(Deployment.class, "jvisor-operator").getSpec().getTemplate().getSpec()
                .getContainers().getFirst().getEnv();
        String exempt = env.stream().filter(e -> e.getName().equals("JVISOR_OPERATOR_EXEMPT_NAMESPACES"))
                .findFirst().orElseThrow().getValue();
        assertThat(exempt.split(",")).contains("kube-system", "kube-node-lease", RenderedChart.NAMESPACE,
                "monitoring");
    }

    @Test
    void selfSignedModeLeavesTheCaBundleToTheOperator() {
        RenderedChart chart = RenderedChart.withValuesFiles();
        var mutating = chart.one(MutatingWebhookConfiguration.class, "jvisor-operator");

        assertThat(mutating.getMetadata().getAnnotations()).doesNotContainKey("cert-manager.io/inject-ca-from");
        assertThat(mutating.getWebhooks()).allSatisfy(w -> assertThat(w.getClientConfig().getCaBundle()).isNull());
    }
}
