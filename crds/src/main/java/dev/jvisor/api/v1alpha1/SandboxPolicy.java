package dev.jvisor.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Says which pods run sandboxed under jVisor and how. Cluster-scoped (it does not implement {@code Namespaced})
 * because it selects namespaces.
 */
@Group(SandboxPolicy.GROUP)
@Version(SandboxPolicy.VERSION)
@Kind("SandboxPolicy")
@Plural("sandboxpolicies")
@Singular("sandboxpolicy")
@ShortNames("sbp")
@AdditionalPrinterColumn(name = "Enforcement", jsonPath = ".spec.enforcement",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "RuntimeClass", jsonPath = ".spec.runtimeClassName",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Priority", jsonPath = ".spec.priority",
        type = AdditionalPrinterColumn.Type.INTEGER, priority = 1)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Sandboxed", jsonPath = ".status.sandboxedPods",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Unsandboxed", jsonPath = ".status.unsandboxedPods",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Nodes", jsonPath = ".status.readyNodes",
        type = AdditionalPrinterColumn.Type.INTEGER, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class SandboxPolicy extends CustomResource<SandboxPolicySpec, SandboxPolicyStatus> {

    public static final String GROUP = "jvisor.dev";
    public static final String VERSION = "v1alpha1";

    /** The prefix of every label and annotation jVisor reads or writes. */
    public static final String ANNOTATION_PREFIX = GROUP + "/";

    @Override
    protected SandboxPolicySpec initSpec() {
        return new SandboxPolicySpec();
    }

    @Override
    protected SandboxPolicyStatus initStatus() {
        return new SandboxPolicyStatus();
    }
}
