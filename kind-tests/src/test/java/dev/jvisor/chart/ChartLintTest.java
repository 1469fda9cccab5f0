package dev.jvisor.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChartLintTest {

    @Test
    void strictLintPasses() {
        LintResult result = new Helm(Repository.chart()).lint().strict().call();

        assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"cert-manager.yaml", "k3s-fail-open.yaml", "no-default-policy.yaml",
            "service-monitor.yaml", "renamed.yaml"})
    void everyValuesFileRenders(String valuesFile) {
        RenderedChart chart = RenderedChart.withValuesFiles(valuesFile);

        assertThat(chart.summary()).containsKeys("Deployment", "DaemonSet", "MutatingWebhookConfiguration",
                "ValidatingWebhookConfiguration", "ClusterRole", "Role", "Service", "ServiceAccount");
    }

    @Test
    void unknownCertModeIsRefusedWithTheKeyNamed() {
        assertThatThrownBy(() -> RenderedChart.render(Map.of("webhook.certMode", "manual")))
                .hasMessageContaining("webhook.certMode must be self-signed or cert-manager");
    }

    @Test
    void unknownFailurePolicyIsRefused() {
        assertThatThrownBy(() -> RenderedChart.render(Map.of("webhook.failurePolicy", "Retry")))
                .hasMessageContaining("webhook.failurePolicy must be Fail or Ignore");
    }

    @Test
    void unknownContainerdFlavourIsRefused() {
        assertThatThrownBy(() -> RenderedChart.render(Map.of("nodeAgent.containerd.flavour", "crio")))
                .hasMessageContaining("nodeAgent.containerd.flavour must be auto, containerd, k3s or rke2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"opt/jvisor", "/opt/../etc", "/"})
    void relativeOrEscapingInstallDirIsRefused(String installDir) {
        assertThatThrownBy(() -> RenderedChart.render(Map.of("nodeAgent.installDir", installDir)))
                .hasMessageContaining("nodeAgent.installDir must");
    }

    @Test
    void webhookTimeoutOutsideTheApiServersRangeIsRefused() {
        assertThatThrownBy(() -> RenderedChart.render(Map.of("webhook.timeoutSeconds", 31)))
                .hasMessageContaining("webhook.timeoutSeconds must be between 1 and 30");
    }

    @Test
    void aPolicyNameCannotSmuggleFieldsIntoTheAppliedPolicy() {
        // The install job applies the rendered policy as the cluster admin's chart would: a value
        // carrying YAML must not become extra fields (here: handler runc, i.e. no sandbox).
        assertThatThrownBy(() -> RenderedChart.render(Map.of("defaultPolicy.runtimeClassName",
                "jvisor\n  handler: runc")))
                .hasMessageContaining("defaultPolicy.runtimeClassName must be a DNS subdomain name");
        assertThatThrownBy(() -> RenderedChart.render(Map.of("defaultPolicy.name", "default\n  namespace: x")))
                .hasMessageContaining("defaultPolicy.name must be a DNS subdomain name");
    }

    @Test
    void handlerAndObjectPrefixMustBeDnsLabels() {
        assertThatThrownBy(() -> RenderedChart.render(Map.of("runtime.handler", "runc; rm -rf /")))
                .hasMessageContaining("runtime.handler must be a DNS label");
        assertThatThrownBy(() -> RenderedChart.render(Map.of("fullnameOverride", "Sandbox_Prod")))
                .hasMessageContaining("fullnameOverride must be a DNS label");
    }
}
