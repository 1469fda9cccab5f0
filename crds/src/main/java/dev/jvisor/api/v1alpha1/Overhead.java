package dev.jvisor.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.LinkedHashMap;
import java.util.Map;

/** The RuntimeClass overhead: what one sandbox (Sentry + Gofers) costs beyond its containers. */
// Unknown fields are dropped, not fatal: an older operator must read policies written for a newer schema.
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Overhead {

    @JsonPropertyDescription("Fixed resources per pod (keys cpu and memory) added to the pod's requests by the "
            + "scheduler and to its cgroup limits by the kubelet.")
    @ValidationRule(value = "self.all(k, k == 'cpu' || k == 'memory')",
            message = "podFixed takes only the keys cpu and memory")
    private Map<String, Quantity> podFixed = new LinkedHashMap<>();

    public Map<String, Quantity> getPodFixed() {
        return podFixed;
    }

    public void setPodFixed(Map<String, Quantity> podFixed) {
        this.podFixed = podFixed;
    }
}
