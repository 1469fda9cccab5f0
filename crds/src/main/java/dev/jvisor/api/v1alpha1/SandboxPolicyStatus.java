package dev.jvisor.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator last observed for a {@link SandboxPolicy}. Written only by the operator. */
// Unknown fields are dropped, not fatal: an older operator must read policies written for a newer schema.
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SandboxPolicyStatus {

    @JsonPropertyDescription("The metadata.generation of the spec this status describes.")
    private Long observedGeneration;

    @JsonPropertyDescription("Ready, RuntimeClassReady, NodesReady and Conflicted, each with the generation it "
            + "was computed for, a CamelCase reason and a human-readable message.")
    @SchemaFrom(type = ConditionSchema[].class)
    private List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("Namespaces the namespaceSelector currently selects, sorted.")
    private List<String> matchedNamespaces = new ArrayList<>();

    @JsonPropertyDescription("Pods this policy governs that run with its RuntimeClass.")
    private Integer sandboxedPods = 0;

    @JsonPropertyDescription("Pods this policy governs that run without its RuntimeClass: created before the "
            + "policy, under Audit, or while the webhook was unavailable.")
    private Integer unsandboxedPods = 0;

    @JsonPropertyDescription("Target nodes whose node agent labelled them jvisor.dev/runtime-ready.")
    private Integer readyNodes = 0;

    @JsonPropertyDescription("Nodes matching the policy's scheduling.nodeSelector (all nodes when unset).")
    private Integer targetNodes = 0;

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }

    public List<String> getMatchedNamespaces() {
        return matchedNamespaces;
    }

    public void setMatchedNamespaces(List<String> matchedNamespaces) {
        this.matchedNamespaces = matchedNamespaces;
    }

    public Integer getSandboxedPods() {
        return sandboxedPods;
    }

    public void setSandboxedPods(Integer sandboxedPods) {
        this.sandboxedPods = sandboxedPods;
    }

    public Integer getUnsandboxedPods() {
        return unsandboxedPods;
    }

    public void setUnsandboxedPods(Integer unsandboxedPods) {
        this.unsandboxedPods = unsandboxedPods;
    }

    public Integer getReadyNodes() {
        return readyNodes;
    }

    public void setReadyNodes(Integer readyNodes) {
        this.readyNodes = readyNodes;
    }

    public Integer getTargetNodes() {
        return targetNodes;
    }

    public void setTargetNodes(Integer targetNodes) {
        this.targetNodes = targetNodes;
    }
}
