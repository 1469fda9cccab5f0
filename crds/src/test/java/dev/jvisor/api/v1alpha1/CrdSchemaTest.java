package dev.jvisor.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Reads the checked-in CRD as the API server would and checks the promises the API makes to users. */
class CrdSchemaTest {

    static CustomResourceDefinition crd;
    static CustomResourceDefinitionVersion version;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = Files.newInputStream(CrdDriftTest.CHECKED_IN)) {
            crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
        }
        version = crd.getSpec().getVersions().getFirst();
    }

    @Test
    void isClusterScopedWithShortNameAndStatusSubresource() {
        assertThat(crd.getMetadata().getName()).isEqualTo("sandboxpolicies.jvisor.dev");
        assertThat(crd.getSpec().getScope()).isEqualTo("Cluster");
        assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("sbp");
        assertThat(version.getName()).isEqualTo("v1alpha1");
        assertThat(version.getSubresources().getStatus()).isNotNull();
    }

    @Test
    void printerColumnsShowEnforcementReadinessAndCounts() {
        assertThat(version.getAdditionalPrinterColumns())
                .extracting(c -> c.getName() + "=" + c.getJsonPath())
                .contains("Enforcement=.spec.enforcement", "RuntimeClass=.spec.runtimeClassName",
                        "Ready=.status.conditions[?(@.type==\"Ready\")].status",
                        "Sandboxed=.status.sandboxedPods", "Unsandboxed=.status.unsandboxedPods",
                        "Age=.metadata.creationTimestamp");
    }

    @Test
    void everySpecAndStatusFieldIsDescribed() {
        JSONSchemaProps root = version.getSchema().getOpenAPIV3Schema();
        List<String> undocumented = new ArrayList<>();
        for (String top : List.of("spec", "status")) {
            collectUndocumented(top, root.getProperties().get(top), undocumented);
        }
        assertThat(undocumented).as("fields without a description").isEmpty();
    }

    @Test
    void defaultsSelectUntrustedNamespacesAndEnforce() {
        Map<String, JSONSchemaProps> spec = specProperties();
        assertThat(spec.get("namespaceSelector").getDefault().toString())
                .contains("jvisor.dev/untrusted").contains("true");
        assertThat(spec.get("enforcement").getDefault().asText()).isEqualTo("Enforce");
        assertThat(spec.get("runtimeClassName").getDefault().asText()).isEqualTo("jvisor");
        assertThat(spec.get("handler").getDefault().asText()).isEqualTo("jvisor");
        assertThat(spec.get("priority").getDefault().asInt()).isZero();
    }

    @Test
    void validationRejectsEmptyHandlerAndUnknownEnumValues() {
        Map<String, JSONSchemaProps> spec = specProperties();
        JSONSchemaProps handler = spec.get("handler");
        assertThat(handler.getMinLength()).isEqualTo(1L);
        assertThat("").doesNotMatch(handler.getPattern());
        assertThat("Jvisor").doesNotMatch(handler.getPattern());
        assertThat("jvisor-debug").matches(handler.getPattern());
        assertThat(spec.get("enforcement").getEnum()).extracting(n -> n.asText())
                .containsExactlyInAnyOrder("Enforce", "Audit");
        Map<String, JSONSchemaProps> sandbox = spec.get("sandbox").getProperties();
        assertThat(sandbox.get("network").getEnum()).extracting(n -> n.asText())
                .containsExactlyInAnyOrder("none", "sandbox", "host");
        assertThat(sandbox.get("syscalls").getProperties().get("deny").getXKubernetesValidations())
                .extracting(v -> v.getMessage()).contains("syscall names must be unique");
        assertThat(spec.get("overhead").getProperties().get("podFixed").getXKubernetesValidations())
                .extracting(v -> v.getRule()).containsExactly("self.all(k, k == 'cpu' || k == 'memory')");
        assertThat(spec.get("priority").getMinimum()).isEqualTo(0.0);
        assertThat(spec.get("priority").getMaximum()).isEqualTo(1000.0);
    }

    private static Map<String, JSONSchemaProps> specProperties() {
        return version.getSchema().getOpenAPIV3Schema().getProperties().get("spec").getProperties();
    }

    private static void collectUndocumented(String path, JSONSchemaProps props, List<String> out) {
        if (props == null) {
            return;
        }
        if (props.getProperties() != null) {
            props.getProperties().forEach((name, child) -> {
                String childPath = path + "." + name;
                if (child.getDescription() == null || child.getDescription().isBlank()) {
                    out.add(childPath);
                }
                collectUndocumented(childPath, child, out);
            });
        }
        if (props.getItems() != null && props.getItems().getSchema() != null) {
            collectUndocumented(path + "[]", props.getItems().getSchema(), out);
        }
    }
}
