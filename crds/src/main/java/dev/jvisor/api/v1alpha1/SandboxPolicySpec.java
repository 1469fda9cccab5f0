package dev.jvisor.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.LabelSelector;

/** The desired state of a {@link SandboxPolicy}. Field defaults here match the schema defaults. */
// Unknown fields are dropped, not fatal: an older operator must read policies written for a newer schema.
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SandboxPolicySpec {

    /** The namespace label that the default selector matches. */
    public static final String UNTRUSTED_NAMESPACE_LABEL = SandboxPolicy.ANNOTATION_PREFIX + "untrusted";
    public static final String DEFAULT_RUNTIME_CLASS = "jvisor";
    public static final String DEFAULT_HANDLER = "jvisor";

    /** RFC 1123 subdomain: what Kubernetes accepts as a RuntimeClass name. */
    public static final String DNS_SUBDOMAIN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
    /** RFC 1123 label: what Kubernetes accepts as a RuntimeClass handler. */
    public static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

    @JsonPropertyDescription("Selects the namespaces whose pods this policy sandboxes. Defaults to namespaces "
            + "labelled jvisor.dev/untrusted=true. An empty selector ({}) selects every namespace.")
    @SchemaFrom(type = LabelSelectorSchema.class)
    @Default("{\"matchLabels\":{\"jvisor.dev/untrusted\":\"true\"}}")
    private LabelSelector namespaceSelector = defaultNamespaceSelector();

    @JsonPropertyDescription("Optionally narrows the policy to pods with these labels inside the selected "
            + "namespaces. Unset selects every pod there.")
    @SchemaFrom(type = LabelSelectorSchema.class)
    private LabelSelector podSelector;

    @JsonPropertyDescription("Name of the RuntimeClass this policy owns and assigns to its pods.")
    @Default(DEFAULT_RUNTIME_CLASS)
    @Pattern(DNS_SUBDOMAIN)
    @Size(min = 1, max = 253)
    private String runtimeClassName = DEFAULT_RUNTIME_CLASS;

    @JsonPropertyDescription("The containerd runtime handler the RuntimeClass names; the node agent "
            + "configures a handler of this name on every node.")
    @Default(DEFAULT_HANDLER)
    @Pattern(DNS_LABEL)
    @Size(min = 1, max = 63)
    private String handler = DEFAULT_HANDLER;

    @JsonPropertyDescription("Enforce: selected pods get the RuntimeClass and pods that opt out are rejected. "
            + "Audit: nothing is changed or rejected; unsandboxed pods are counted and reported.")
    @Default("Enforce")
    private Enforcement enforcement = Enforcement.ENFORCE;

    @JsonPropertyDescription("When several policies select the same pod, the highest priority wins; on equal "
            + "priority the policy whose name sorts first wins and both report Conflicted.")
    @Default("0")
    @Min(0)
    @Max(1000)
    private Integer priority = 0;

    @JsonPropertyDescription("How the sandbox runs the pods: platform, network, file access, root overlay, "
            + "syscall filter, monitoring and debugging. Passed to the runtime as jvisor.dev/* pod annotations.")
    @Default("{}")
    private SandboxSettings sandbox = new SandboxSettings();

    @JsonPropertyDescription("Resources the sandbox itself uses on top of the containers' requests; copied into "
            + "the RuntimeClass so the scheduler accounts for them.")
    private Overhead overhead;

    @JsonPropertyDescription("Where sandboxed pods may run; copied into the RuntimeClass scheduling so pods "
            + "land only on nodes with the runtime installed.")
    private Scheduling scheduling;

    /** The selector used when a policy leaves {@code namespaceSelector} unset. */
    public static LabelSelector defaultNamespaceSelector() {
        LabelSelector selector = new LabelSelector();
        selector.setMatchLabels(new java.util.LinkedHashMap<>(java.util.Map.of(UNTRUSTED_NAMESPACE_LABEL, "true")));
        return selector;
    }

    public LabelSelector getNamespaceSelector() {
        return namespaceSelector;
    }

    public void setNamespaceSelector(LabelSelector namespaceSelector) {
        this.namespaceSelector = namespaceSelector;
    }

    public LabelSelector getPodSelector() {
        return podSelector;
    }

    public void setPodSelector(LabelSelector podSelector) {
        this.podSelector = podSelector;
    }

    public String getRuntimeClassName() {
        return runtimeClassName;
    }

    public void setRuntimeClassName(String runtimeClassName) {
        this.runtimeClassName = runtimeClassName;
    }

    public String getHandler() {
        return handler;
    }

    public void setHandler(String handler) {
        this.handler = handler;
    }

    public Enforcement getEnforcement() {
        return enforcement;
    }

    public void setEnforcement(Enforcement enforcement) {
        this.enforcement = enforcement;
    }

    public Integer getPriority() {
        return priority;
    }

    public void setPriority(Integer priority) {
        this.priority = priority;
    }

    public SandboxSettings getSandbox() {
        return sandbox;
    }

    public void setSandbox(SandboxSettings sandbox) {
        this.sandbox = sandbox;
    }

    public Overhead getOverhead() {
        return overhead;
    }

    public void setOverhead(Overhead overhead) {
        this.overhead = overhead;
    }

    public Scheduling getScheduling() {
        return scheduling;
    }

    public void setScheduling(Scheduling scheduling) {
        this.scheduling = scheduling;
    }
}
