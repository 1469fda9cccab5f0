package dev.jvisor.operator.rbac;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import java.util.List;

/**
 * The least the operator needs. Cluster-wide: read what it watches, own RuntimeClasses, write Events, and patch
 * only its own two webhook configurations. In its namespace only: its webhook certificate Secret and the
 * leader-election Lease.
 */
public final class OperatorPermissions {

    public static final String NAME = "jvisor-operator";
    private static final List<String> READ = List.of("get", "list", "watch");

    private OperatorPermissions() {
    }

    /** One rule and the reason it is granted. */
    public record Grant(PolicyRule rule, String why) {
    }

    public static List<Grant> clusterGrants() {
        return List.of(
                new Grant(rule("jvisor.dev", List.of("sandboxpolicies"), List.of("get", "list", "watch", "patch",
                        "update")), "reconcile policies and manage their finalizer"),
                new Grant(rule("jvisor.dev", List.of("sandboxpolicies/status"), List.of("get", "patch", "update")),
                        "report status"),
                new Grant(rule("jvisor.dev", List.of("sandboxpolicies/finalizers"), List.of("update")),
                        "set owner references that block deletion (OwnerReferencesPermissionEnforcement)"),
                new Grant(rule("node.k8s.io", List.of("runtimeclasses"), List.of("get", "list", "watch", "create",
                        "update", "patch", "delete")), "own each policy's RuntimeClass"),
                new Grant(rule("", List.of("namespaces", "pods", "nodes"), READ),
                        "match namespaces, count pods, count runtime-ready nodes"),
                new Grant(rule("", List.of("events"), List.of("create", "patch")), "record Events on policies"),
                new Grant(new PolicyRuleBuilder().withApiGroups("admissionregistration.k8s.io")
                        .withResources("mutatingwebhookconfigurations", "validatingwebhookconfigurations")
                        .withResourceNames(NAME).withVerbs("get", "patch", "update").build(),
                        "publish the webhook CA bundle into its own configurations only"));
    }

    public static List<Grant> namespaceGrants() {
        return List.of(
                new Grant(rule("", List.of("secrets"), List.of("get", "create", "update")),
                        "keep the webhook serving certificate"),
                new Grant(rule("coordination.k8s.io", List.of("leases"), List.of("get", "create", "update")),
                        "leader election between replicas"));
    }

    /** The ClusterRole and the Role (in {@code namespace}) the chart binds to the operator's ServiceAccount. */
    public static List<HasMetadata> manifests(String namespace) {
        return List.of(
                new ClusterRoleBuilder().withNewMetadata().withName(NAME).endMetadata()
                        .withRules(clusterGrants().stream().map(Grant::rule).toList()).build(),
                new RoleBuilder().withNewMetadata().withName(NAME).withNamespace(namespace).endMetadata()
                        .withRules(namespaceGrants().stream().map(Grant::rule).toList()).build());
    }

    private static PolicyRule rule(String group, List<String> resources, List<String> verbs) {
        return new PolicyRuleBuilder().withApiGroups(group).withResources(resources).withVerbs(verbs).build();
    }
}
