package dev.jvisor.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

/**
 * The documented schema of a Kubernetes LabelSelector. fabric8's model class carries no descriptions, so the fields
 * typed {@code LabelSelector} take their schema from here ({@code @SchemaFrom}); Java code still uses fabric8's type.
 */
final class LabelSelectorSchema {

    @JsonPropertyDescription("Labels that must all be present with exactly these values.")
    public Map<String, String> matchLabels;

    @JsonPropertyDescription("Set-based requirements that must all hold.")
    public List<Requirement> matchExpressions;

    @ValidationRule(value = "self.operator in ['In', 'NotIn'] ? (has(self.values) && size(self.values) > 0)"
            + " : (!has(self.values) || size(self.values) == 0)",
            message = "In and NotIn need values; Exists and DoesNotExist take none")
    static final class Requirement {
        @JsonPropertyDescription("The label key the requirement applies to.")
        @Required
        public String key;

        @JsonPropertyDescription("In, NotIn, Exists or DoesNotExist.")
        @Required
        @Pattern("^(In|NotIn|Exists|DoesNotExist)$")
        public String operator;

        @JsonPropertyDescription("The values for In and NotIn; empty for Exists and DoesNotExist.")
        public List<String> values;
    }

    private LabelSelectorSchema() {
    }
}
