package dev.jvisor.operator.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * operator/rbac/rbac.yaml is rendered from {@link OperatorPermissions}; this fails when they differ (regenerate
 * with {@code -Djvisor.updateRbac=true}) and when a grant is broader than the operator's needs.
 */
class RbacManifestTest {

    static final Path MANIFEST = Path.of("rbac", "rbac.yaml");

    static String render() {
        String header = "# Generated from dev.jvisor.operator.rbac.OperatorPermissions by RbacManifestTest; do not edit.\n"
                + "# The Helm chart binds both to the operator's ServiceAccount (the Role in the release namespace).\n";
        return header + OperatorPermissions.manifests("jvisor-system").stream()
                .map(Serialization::asYaml).collect(Collectors.joining());
    }

    @Test
    void checkedInManifestIsGeneratedFromThePermissions() throws IOException {
        String rendered = render();
        if (Boolean.getBoolean("jvisor.updateRbac")) {
            Files.createDirectories(MANIFEST.getParent());
            Files.writeString(MANIFEST, rendered);
        }
        assertThat(MANIFEST).as("regenerate with -Djvisor.updateRbac=true").exists();
        assertThat(Files.readString(MANIFEST)).as("%s drifted; regenerate with -Djvisor.updateRbac=true", MANIFEST)
                .isEqualTo(rendered);
    }

    @Test
    void noWildcardsNoSecretsClusterWideAndWebhooksOnlyByName() {
        List<HasMetadata> manifests = OperatorPermissions.manifests("jvisor-system");
        ClusterRole clusterRole = (ClusterRole) manifests.getFirst();
        for (PolicyRule rule : clusterRole.getRules()) {
            assertThat(rule.getVerbs()).doesNotContain("*");
            assertThat(rule.getResources()).doesNotContain("*", "secrets");
            if (rule.getApiGroups().contains("admissionregistration.k8s.io")) {
                assertThat(rule.getResourceNames()).containsExactly(OperatorPermissions.NAME);
            }
            if (rule.getResources().contains("pods")) {
                assertThat(rule.getVerbs()).as("existing pods are only ever read").containsOnly("get", "list",
                        "watch");
            }
        }
        assertThat(OperatorPermissions.clusterGrants()).allSatisfy(g -> assertThat(g.why()).isNotBlank());
    }
}
