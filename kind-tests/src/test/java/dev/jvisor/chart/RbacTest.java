package dev.jvisor.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RbacTest {

    /**
     * A rule flattened to "group/resource[/name]:verb" grants, so rule layout (which verbs share a
     * rule, in which order) does not matter, only what is allowed.
     */
    static Set<String> grants(List<PolicyRule> rules) {
        Set<String> grants = new TreeSet<>();
        for (PolicyRule rule : rules) {
            List<String> names = rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
                    ? List.of("*") : rule.getResourceNames();
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String name : names) {
                        for (String verb : rule.getVerbs()) {
                            grants.add(group + "/" + resource + "/" + name + ":" + verb);
                        }
                    }
                }
            }
        }
        return grants;
    }

    private static List<HasMetadata> generated() throws IOException {
        return RenderedChart.parse(Files.readString(Repository.file("operator/rbac/rbac.yaml")));
    }

    @Test
    void operatorGetsExactlyThePermissionsItsCodeDeclares() throws IOException {
        RenderedChart chart = RenderedChart.withValuesFiles();
        ClusterRole expectedCluster = generated().stream().filter(ClusterRole.class::isInstance)
                .map(ClusterRole.class::cast).findFirst().orElseThrow();
        Role expectedNamespaced = generated().stream().filter(Role.class::isInstance)
                .map(Role.class::cast).findFirst().orElseThrow();

        assertThat(grants(chart.one(ClusterRole.class, "jvisor-operator").getRules()))
                .isEqualTo(grants(expectedCluster.getRules()));
        Role role = chart.one(Role.class, "jvisor-operator");
        assertThat(role.getMetadata().getNamespace()).isEqualTo(RenderedChart.NAMESPACE);
        assertThat(grants(role.getRules())).isEqualTo(grants(expectedNamespaced.getRules()));
    }

    @Test
    void renamedReleaseNarrowsWebhookAccessToItsOwnConfigurations() {
        RenderedChart chart = RenderedChart.withValuesFiles("renamed.yaml");

        assertThat(grants(chart.one(ClusterRole.class, "sandbox-operator").getRules()))
                .filteredOn(g -> g.startsWith("admissionregistration.k8s.io/"))
                .isNotEmpty()
                .allMatch(g -> g.contains("/sandbox-operator:"));
        var env = chart.one(Deployment.class, "sandbox-operator").getSpec().getTemplate().getSpec()
                .getContainers().getFirst().getEnv();
        assertThat(env).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("JVISOR_OPERATOR_WEBHOOK_MUTATING_CONFIGURATION_NAME");
            assertThat(e.getValue()).isEqualTo("sandbox-operator");
        });
    }

    @Test
    void nodeAgentCanDoWhatItsCodeDoesAndNothingMore() {
        RenderedChart chart = RenderedChart.withValuesFiles();

        // NodeStatus: read the node, label it ready / unlabel it, lift taints (fabric8 edit = get + patch);
        // DaemonSetSelection: read its own pod, its DaemonSet and the node on SIGTERM.
        // The policy service: get pods and namespaces, watch SandboxPolicies, create Events.
        assertThat(grants(chart.one(ClusterRole.class, "jvisor-node-agent").getRules()))
                .containsExactlyInAnyOrder("/nodes/*:get", "/nodes/*:patch", "/pods/*:get", "/namespaces/*:get",
                        "jvisor.dev/sandboxpolicies/*:list", "jvisor.dev/sandboxpolicies/*:watch", "/events/*:create");
        Role role = chart.one(Role.class, "jvisor-node-agent");
        assertThat(role.getMetadata().getNamespace()).isEqualTo(RenderedChart.NAMESPACE);
        assertThat(grants(role.getRules())).containsExactlyInAnyOrder("/pods/*:get", "apps/daemonsets/*:get");
    }

    @Test
    void uninstallAndInstallJobsMayTouchOnlyTheChartsOwnObjects() {
        RenderedChart chart = RenderedChart.withValuesFiles();
        Set<String> cluster = grants(chart.one(ClusterRole.class, "jvisor-hooks").getRules());
        Set<String> namespaced = grants(chart.one(Role.class, "jvisor-hooks").getRules());

        // Destructive or modifying verbs are bound to one named object each.
        assertThat(cluster).filteredOn(g -> g.endsWith(":delete") || g.endsWith(":patch"))
                .containsExactlyInAnyOrder("jvisor.dev/sandboxpolicies/default:delete",
                        "jvisor.dev/sandboxpolicies/default:patch");
        assertThat(namespaced).filteredOn(g -> g.endsWith(":delete"))
                .containsExactly("apps/daemonsets/jvisor-node-agent:delete");
        assertThat(namespaced).noneMatch(g -> g.contains("secrets") || g.contains("pods"));
    }

    @Test
    void noRoleUsesWildcardsOrEscalationVerbs() {
        for (String values : new String[] {"cert-manager.yaml", "k3s-fail-open.yaml", "renamed.yaml"}) {
            RenderedChart chart = RenderedChart.withValuesFiles(values);
            List<PolicyRule> rules = new java.util.ArrayList<>();
            chart.all(ClusterRole.class).forEach(r -> rules.addAll(r.getRules()));
            chart.all(Role.class).forEach(r -> rules.addAll(r.getRules()));

            assertThat(rules).isNotEmpty();
            assertThat(rules).allSatisfy(rule -> {
                assertThat(rule.getVerbs()).doesNotContain("*", "escalate", "bind", "impersonate");
                assertThat(rule.getResources()).doesNotContain("*");
                assertThat(rule.getApiGroups()).doesNotContain("*");
            });
        }
    }

    @Test
    void everyWorkloadRunsAsTheServiceAccountItsRolesAreBoundTo() {
        RenderedChart chart = RenderedChart.withValuesFiles();
        Set<String> boundToRoles = chart.all(RoleBinding.class).stream()
                .flatMap(b -> b.getSubjects().stream()).map(s -> s.getNamespace() + "/" + s.getName())
                .collect(Collectors.toSet());
        Set<String> boundToClusterRoles = chart.all(ClusterRoleBinding.class).stream()
                .flatMap(b -> b.getSubjects().stream()).map(s -> s.getNamespace() + "/" + s.getName())
                .collect(Collectors.toSet());
        List<String> accounts = List.of(
                chart.one(Deployment.class, "jvisor-operator").getSpec().getTemplate().getSpec()
                        .getServiceAccountName(),
                chart.one(DaemonSet.class, "jvisor-node-agent").getSpec().getTemplate().getSpec()
                        .getServiceAccountName(),
                chart.one(Job.class, "jvisor-uninstall").getSpec().getTemplate().getSpec().getServiceAccountName());

        for (String account : accounts) {
            assertThat(boundToRoles).contains(RenderedChart.NAMESPACE + "/" + account);
            assertThat(boundToClusterRoles).contains(RenderedChart.NAMESPACE + "/" + account);
        }
        // Each binding refers to a role the chart renders.
        chart.all(RoleBinding.class).forEach(b -> chart.one(Role.class, b.getRoleRef().getName()));
        chart.all(ClusterRoleBinding.class).forEach(b -> chart.one(ClusterRole.class, b.getRoleRef().getName()));
    }
}
