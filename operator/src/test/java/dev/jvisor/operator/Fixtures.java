package dev.jvisor.operator;

import dev.jvisor.api.v1alpha1.Enforcement;
import dev.jvisor.api.v1alpha1.SandboxAnnotations;
import dev.jvisor.api.v1alpha1.SandboxPolicy;
import dev.jvisor.api.v1alpha1.SandboxPolicySpec;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.Map;

/** Small builders for the objects the operator reads, so tests state only what matters to them. */
public final class Fixtures {

    private Fixtures() {
    }

    public static SandboxPolicy policy(String name) {
        SandboxPolicy policy = new SandboxPolicy();
        policy.setMetadata(new ObjectMetaBuilder().withName(name).withGeneration(1L).build());
        policy.setSpec(new SandboxPolicySpec());
        return policy;
    }

    public static SandboxPolicy policy(String name, int priority, Map<String, String> namespaceLabels) {
        SandboxPolicy policy = policy(name);
        policy.getSpec().setPriority(priority);
        LabelSelector selector = new LabelSelector();
        selector.setMatchLabels(namespaceLabels);
        policy.getSpec().setNamespaceSelector(selector);
        return policy;
    }

    public static SandboxPolicy audit(SandboxPolicy policy) {
        policy.getSpec().setEnforcement(Enforcement.AUDIT);
        return policy;
    }

    public static Namespace namespace(String name, Map<String, String> labels) {
        return new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata().build();
    }

    public static Namespace untrustedNamespace(String name) {
        return namespace(name, Map.of(SandboxPolicySpec.UNTRUSTED_NAMESPACE_LABEL, "true"));
    }

    public static Pod pod(String namespace, String name, String runtimeClassName) {
        return new PodBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).withLabels(Map.of("app", name))
                .endMetadata()
                .withNewSpec().withRuntimeClassName(runtimeClassName)
                .addNewContainer().withName("main").withImage("busybox").endContainer()
                .endSpec()
                .withNewStatus().withPhase("Running").endStatus()
                .build();
    }

    public static Node node(String name, boolean runtimeReady) {
        NodeBuilder builder = new NodeBuilder().withNewMetadata().withName(name)
                .addToLabels("kubernetes.io/hostname", name).endMetadata();
        if (runtimeReady) {
            builder.editMetadata().addToLabels(SandboxAnnotations.RUNTIME_READY_NODE_LABEL, "0.1.0").endMetadata();
        }
        return builder.build();
    }
}
