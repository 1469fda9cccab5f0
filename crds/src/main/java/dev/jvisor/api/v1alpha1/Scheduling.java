package dev.jvisor.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The RuntimeClass scheduling: keeps sandboxed pods on nodes where the runtime is installed. */
// Unknown fields are dropped, not fatal: an older operator must read policies written for a newer schema.
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Scheduling {

    @JsonPropertyDescription("Node labels a node must carry to run the policy's pods; merged into each pod's "
            + "nodeSelector by the RuntimeClass admission controller. Also selects the nodes counted in "
            + "targetNodes.")
    private Map<String, String> nodeSelector = new LinkedHashMap<>();

    @JsonPropertyDescription("Tolerations appended to the policy's pods, e.g. for nodes tainted to run only "
            + "sandboxed workloads.")
    @SchemaFrom(type = TolerationSchema[].class)
    private List<Toleration> tolerations = new ArrayList<>();

    public Map<String, String> getNodeSelector() {
        return nodeSelector;
    }

    public void setNodeSelector(Map<String, String> nodeSelector) {
        this.nodeSelector = nodeSelector;
    }

    public List<Toleration> getTolerations() {
        return tolerations;
    }

    public void setTolerations(List<Toleration> tolerations) {
        this.tolerations = tolerations;
    }
}
