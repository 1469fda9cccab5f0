package dev.jvisor.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class OperatorDeploymentTest {

    private static Container operator(RenderedChart chart) {
        return chart.one(Deployment.class, "jvisor-operator").getSpec().getTemplate().getSpec().getContainers()
                .getFirst();
    }

    /**
     * The environment variable names SmallRye maps to the operator's {@code @ConfigMapping}: prefix
     * jvisor.operator, nested interface webhook, method names in kebab case.
     */
    private static Set<String> operatorSettings() throws IOException {
        Path config = Repository.file("operator/src/main/java/dev/jvisor/operator/config/OperatorConfig.java");
        String source = Files.readString(config);
        int nested = source.indexOf("interface Webhook");
        Set<String> names = new HashSet<>();
        var method = Pattern.compile("^\\s+(?:[\\w<>]+)\\s+(\\w+)\\(\\);", Pattern.MULTILINE).matcher(source);
        while (method.find()) {
            String kebab = method.group(1).replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase();
            names.add(method.start() > nested ? "JVISOR_OPERATOR_WEBHOOK_" + kebab : "JVISOR_OPERATOR_" + kebab);
        }
        return names;
    }

    @Test
    void everyOperatorSettingTheChartPassesIsOneTheOperatorReads() throws IOException {
        Set<String> known = operatorSettings();
        assertThat(known).contains("JVISOR_OPERATOR_NAMESPACE", "JVISOR_OPERATOR_WEBHOOK_MANAGE_CERTIFICATE");

        for (String values : new String[] {"cert-manager.yaml", "renamed.yaml"}) {
            Container container = RenderedChart.withValuesFiles(values).all(Deployment.class).getFirst()
                    .getSpec().getTemplate().getSpec().getContainers().getFirst();
            assertThat(container.getEnv()).extracting(EnvVar::getName).isSubsetOf(known);
        }
    }

    @Test
    void operatorIsToldTheNamesOfTheObjectsTheChartCreated() {
        RenderedChart chart = RenderedChart.withValuesFiles("renamed.yaml");
        Map<String, EnvVar> env = chart.one(Deployment.class, "sandbox-operator").getSpec().getTemplate().getSpec()
                .getContainers().getFirst().getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));

        assertThat(env.get("JVISOR_OPERATOR_NAMESPACE").getValueFrom().getFieldRef().getFieldPath())
                .isEqualTo("metadata.namespace");
        chart.one(Service.class, env.get("JVISOR_OPERATOR_WEBHOOK_SERVICE_NAME").getValue());
        chart.one(io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration.class,
                env.get("JVISOR_OPERATOR_WEBHOOK_MUTATING_CONFIGURATION_NAME").getValue());
        chart.one(io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration.class,
                env.get("JVISOR_OPERATOR_WEBHOOK_VALIDATING_CONFIGURATION_NAME").getValue());
        assertThat(env.get("JVISOR_OPERATOR_LEADER_ELECTION_LEASE").getValue()).isEqualTo("sandbox-operator-leader");
    }

    @Test
    void probesAndMetricsUseTheManagementPort() {
        RenderedChart chart = RenderedChart.withValuesFiles("service-monitor.yaml");
        Container container = operator(chart);
        var metricsPort = container.getPorts().stream().filter(p -> p.getContainerPort() == 9000).findFirst()
                .orElseThrow();

        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        assertThat(List.of(container.getLivenessProbe(), container.getReadinessProbe(), container.getStartupProbe()))
                .allSatisfy(p -> assertThat(p.getHttpGet().getPort().getStrVal()).isEqualTo(metricsPort.getName()));

        GenericKubernetesResource monitor = chart.generic("ServiceMonitor").getFirst();
        assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
        @SuppressWarnings("unchecked")
        var endpoint = ((List<Map<String, Object>>) ((Map<String, Object>) monitor.getAdditionalProperties()
                .get("spec")).get("endpoints")).getFirst();
        assertThat(endpoint).containsEntry("path", "/q/metrics").containsEntry("port", metricsPort.getName())
                .containsEntry("interval", "15s");
        Service metrics = chart.one(Service.class, "jvisor-operator-metrics");
        assertThat(metrics.getSpec().getPorts()).anySatisfy(p -> assertThat(p.getName()).isEqualTo("http-metrics"));

        assertThat(RenderedChart.withValuesFiles().generic("ServiceMonitor")).isEmpty();
    }

    @Test
    void operatorRunsUnprivilegedOnAReadOnlyRoot() {
        Deployment deployment = RenderedChart.withValuesFiles().one(Deployment.class, "jvisor-operator");
        var pod = deployment.getSpec().getTemplate().getSpec();
        var security = pod.getContainers().getFirst().getSecurityContext();

        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(security.getAllowPrivilegeEscalation()).isFalse();
        assertThat(security.getReadOnlyRootFilesystem()).isTrue();
        assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(pod.getPriorityClassName()).isEqualTo("system-cluster-critical");
        assertThat(deployment.getSpec().getReplicas()).isGreaterThanOrEqualTo(2);
    }
}
