package dev.jvisor.operator.admission;

import dev.jvisor.api.v1alpha1.SandboxPolicy;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperationsBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfigBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * The MutatingWebhookConfiguration and ValidatingWebhookConfiguration that route the API server to
 * {@link AdmissionResource}, rendered from the same path constants (the chart installs the rendering,
 * {@code operator/webhooks/webhooks.yaml}; the operator fills in caBundle). Pod webhooks fail closed
 * (failurePolicy Fail): a webhook outage must not let pods in enforced namespaces start unsandboxed. The
 * control-plane namespaces and the operator's own are excluded by name so the operator can always recover.
 */
public final class WebhookConfigurations {

    public static final String NAME = "jvisor-operator";
    /** Label the API server sets on every namespace (Kubernetes 1.22+). */
    static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

    private WebhookConfigurations() {
    }

    public static List<HasMetadata> manifests(String namespace, String service, List<String> exemptNamespaces) {
        List<String> excluded = new ArrayList<>(exemptNamespaces);
        excluded.add(namespace);
        LabelSelector notExempt = new LabelSelectorBuilder().addNewMatchExpression()
                .withKey(NAMESPACE_NAME_LABEL).withOperator("NotIn").withValues(excluded).endMatchExpression()
                .build();
        var mutating = new MutatingWebhookConfigurationBuilder()
                .withNewMetadata().withName(NAME).endMetadata()
                .addNewWebhook()
                .withName("pods.mutate.jvisor.dev")
                .withClientConfig(client(namespace, service, AdmissionResource.MUTATE_PODS))
                .withRules(new RuleWithOperationsBuilder().withApiGroups("").withApiVersions("v1")
                        .withResources("pods").withOperations("CREATE").withScope("Namespaced").build())
                .withNamespaceSelector(notExempt)
                .withFailurePolicy("Fail")
                .withSideEffects("None")
                .withAdmissionReviewVersions("v1")
                .withTimeoutSeconds(10)
                // Another webhook may add containers after us; being called again keeps our annotations whole.
                .withReinvocationPolicy("IfNeeded")
                .endWebhook()
                .build();
        var validating = new ValidatingWebhookConfigurationBuilder()
                .withNewMetadata().withName(NAME).endMetadata()
                .addNewWebhook()
                .withName("pods.validate.jvisor.dev")
                .withClientConfig(client(namespace, service, AdmissionResource.VALIDATE_PODS))
                .withRules(new RuleWithOperationsBuilder().withApiGroups("").withApiVersions("v1")
                        .withResources("pods").withOperations("CREATE", "UPDATE").withScope("Namespaced").build())
                .withNamespaceSelector(notExempt)
                .withFailurePolicy("Fail")
                .withSideEffects("None")
                .withAdmissionReviewVersions("v1")
                .withTimeoutSeconds(10)
                .endWebhook()
                .addNewWebhook()
                .withName("sandboxpolicies.validate.jvisor.dev")
                .withClientConfig(client(namespace, service, AdmissionResource.VALIDATE_POLICIES))
                .withRules(new RuleWithOperationsBuilder().withApiGroups(SandboxPolicy.GROUP)
                        .withApiVersions(SandboxPolicy.VERSION).withResources("sandboxpolicies")
                        .withOperations("CREATE", "UPDATE").withScope("Cluster").build())
                .withFailurePolicy("Fail")
                .withSideEffects("None")
                .withAdmissionReviewVersions("v1")
                .withTimeoutSeconds(10)
                .endWebhook()
                .build();
        return List.of(mutating, validating);
    }

    private static WebhookClientConfig client(String namespace, String service, String path) {
        return new WebhookClientConfigBuilder().withNewService().withNamespace(namespace).withName(service)
                .withPath("/admission/" + path).withPort(443).endService().build();
    }
}
