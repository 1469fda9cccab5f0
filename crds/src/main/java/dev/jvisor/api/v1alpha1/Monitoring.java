package dev.jvisor.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** Which Sentry trace points report events to the node agent. */
// Unknown fields are dropped, not fatal: an older operator must read policies written for a newer schema.
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Monitoring {

    @JsonPropertyDescription("Trace points whose events the sandbox sends to the node agent's event stream. "
            + "Empty sends nothing.")
    @ValidationRule(value = "self.all(n, self.exists_one(m, m == n))", message = "trace points must be unique")
    private List<TracePoint> tracePoints = new ArrayList<>();

    public List<TracePoint> getTracePoints() {
        return tracePoints;
    }

    public void setTracePoints(List<TracePoint> tracePoints) {
        this.tracePoints = tracePoints;
    }
}
