package dev.jvisor.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;

/** The documented schema of a Kubernetes Toleration (see {@link LabelSelectorSchema} for why). */
final class TolerationSchema {

    @JsonPropertyDescription("The taint key the toleration matches; empty with operator Exists matches all taints.")
    public String key;

    @JsonPropertyDescription("Exists or Equal (the default).")
    @Pattern("^(Exists|Equal)?$")
    public String operator;

    @JsonPropertyDescription("The taint value matched with operator Equal.")
    public String value;

    @JsonPropertyDescription("NoSchedule, PreferNoSchedule or NoExecute; empty matches all effects.")
    @Pattern("^(NoSchedule|PreferNoSchedule|NoExecute)?$")
    public String effect;

    @JsonPropertyDescription("For NoExecute: how long the pod stays bound after the taint appears.")
    public Long tolerationSeconds;

    private TolerationSchema() {
    }
}
