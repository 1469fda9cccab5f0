package dev.jvisor.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DefaultPolicyTest {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    /** The SandboxPolicy the install job applies, as the API server would receive it. */
    private static GenericKubernetesResource policy(RenderedChart chart, String configMap) {
        String yaml = chart.one(ConfigMap.class, configMap).getData().get("policy.yaml");
        return SERIALIZATION.unmarshal(yaml, GenericKubernetesResource.class);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> specSchema() throws IOException {
        var crd = SERIALIZATION.unmarshal(Files.readString(Repository.chart()
                .resolve("crds/sandboxpolicies.jvisor.dev-v1.yml")), CustomResourceDefinition.class);
        var schema = crd.getSpec().getVersions().getFirst().getSchema().getOpenAPIV3Schema();
        Map<String, Object> asMap = SERIALIZATION.convertValue(schema, Map.class);
        return (Map<String, Object>) ((Map<String, Object>) asMap.get("properties")).get("spec");
    }

    @Test
    @SuppressWarnings("unchecked")
    void defaultPolicySandboxesNamespacesLabelledUntrusted() throws IOException {
        GenericKubernetesResource policy = policy(RenderedChart.withValuesFiles(), "jvisor-default-policy");
        Map<String, Object> spec = (Map<String, Object>) policy.getAdditionalProperties().get("spec");

        assertThat(policy.getApiVersion()).isEqualTo("jvisor.dev/v1alpha1");
        assertThat(policy.getKind()).isEqualTo("SandboxPolicy");
        assertThat(policy.getMetadata().getName()).isEqualTo("default");
        assertThat(policy.getMetadata().getNamespace()).as("SandboxPolicy is cluster-scoped").isNull();
        assertThat(spec.get("namespaceSelector"))
                .isEqualTo(Map.of("matchLabels", Map.of("jvisor.dev/untrusted", "true")));
        assertThat(spec).containsEntry("enforcement", "Enforce").containsEntry("runtimeClassName", "jvisor")
                .containsEntry("handler", "jvisor");
        assertThat(StructuralSchema.violations(specSchema(), spec)).isEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void policyNamesTheHandlerTheAgentsConfigure() throws IOException {
        RenderedChart chart = RenderedChart.withValuesFiles("renamed.yaml");
        GenericKubernetesResource policy = policy(chart, "sandbox-default-policy");
        Map<String, Object> spec = (Map<String, Object>) policy.getAdditionalProperties().get("spec");
        String agentHandler = chart.one(io.fabric8.kubernetes.api.model.apps.DaemonSet.class, "sandbox-node-agent")
                .getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv().stream()
                .filter(e -> e.getName().equals("JVISOR_HANDLER_NAME")).findFirst().orElseThrow().getValue();

        assertThat(spec).containsEntry("handler", agentHandler).containsEntry("handler", "sentry")
                .containsEntry("enforcement", "Audit").containsEntry("runtimeClassName", "sentry");
        assertThat(policy.getMetadata().getName()).isEqualTo("untrusted-workloads");
        assertThat(StructuralSchema.violations(specSchema(), spec)).isEmpty();
    }

    @Test
    void aTypoInThePolicyValuesIsCaughtBeforeTheApiServerWouldDropIt() throws IOException {
        RenderedChart chart = RenderedChart.render(Map.of("defaultPolicy.sandbox.netwrok", "none",
                "defaultPolicy.sandbox.fileAccess", "everything"));
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) policy(chart, "jvisor-default-policy")
                .getAdditionalProperties().get("spec");

        assertThat(StructuralSchema.violations(specSchema(), spec)).containsExactlyInAnyOrder(
                ".sandbox.netwrok: unknown field (the API server would drop it)",
                ".sandbox.fileAccess: everything is not one of [exclusive, shared]");
    }

    @Test
    void policyIsAppliedOnlyOnceTheOperatorServes() {
        RenderedChart chart = RenderedChart.withValuesFiles();
        Job job = chart.one(Job.class, "jvisor-apply-default-policy");
        var pod = job.getSpec().getTemplate().getSpec();

        assertThat(job.getMetadata().getAnnotations()).containsEntry("helm.sh/hook", "post-install,post-upgrade");
        assertThat(pod.getInitContainers()).singleElement().satisfies(c -> assertThat(c.getCommand())
                .startsWith("kubectl", "rollout", "status", "deployment/jvisor-operator"));
        Container apply = pod.getContainers().getFirst();
        assertThat(apply.getCommand()).containsExactly("kubectl", "apply", "--filename=/policy/policy.yaml");
        assertThat(pod.getVolumes()).filteredOn(v -> v.getConfigMap() != null)
                .singleElement().satisfies(v -> assertThat(v.getConfigMap().getName())
                        .isEqualTo("jvisor-default-policy"));
    }

    @Test
    void uninstallRemovesThePolicyBeforeTheAgentsAndBothBeforeTheOperatorGoes() {
        Job job = RenderedChart.withValuesFiles().one(Job.class, "jvisor-uninstall");
        var pod = job.getSpec().getTemplate().getSpec();

        assertThat(job.getMetadata().getAnnotations()).containsEntry("helm.sh/hook", "pre-delete");
        assertThat(pod.getInitContainers()).singleElement().satisfies(c -> assertThat(c.getCommand())
                .contains("delete", "sandboxpolicy/default", "--wait"));
        assertThat(pod.getContainers().getFirst().getCommand()).contains("daemonset/jvisor-node-agent",
                "--namespace=jvisor-system", "--cascade=foreground", "--wait");
    }

    @Test
    void toggleOffRendersNoPolicyAndUninstallLeavesPoliciesAlone() {
        RenderedChart chart = RenderedChart.withValuesFiles("no-default-policy.yaml");

        assertThat(chart.all(ConfigMap.class)).isEmpty();
        assertThat(chart.all(Job.class)).extracting(j -> j.getMetadata().getName())
                .containsExactly("jvisor-uninstall");
        List<Container> init = chart.one(Job.class, "jvisor-uninstall").getSpec().getTemplate().getSpec()
                .getInitContainers();
        assertThat(init == null ? List.<Container>of() : init).isEmpty();
    }
}
