package dev.jvisor.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** The documented schema of a status condition (metav1.Condition; see {@link LabelSelectorSchema} for why). */
final class ConditionSchema {

    @JsonPropertyDescription("Ready, RuntimeClassReady, NodesReady or Conflicted.")
    @Required
    public String type;

    @JsonPropertyDescription("True, False or Unknown.")
    @Required
    @Pattern("^(True|False|Unknown)$")
    public String status;

    @JsonPropertyDescription("The metadata.generation the condition was computed for.")
    public Long observedGeneration;

    @JsonPropertyDescription("When status last changed (RFC 3339).")
    public String lastTransitionTime;

    @JsonPropertyDescription("A CamelCase word for programs saying why the condition has its status.")
    public String reason;

    @JsonPropertyDescription("A sentence for people saying why the condition has its status.")
    public String message;

    private ConditionSchema() {
    }
}
