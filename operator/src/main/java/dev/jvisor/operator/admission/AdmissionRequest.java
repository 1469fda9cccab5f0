package dev.jvisor.operator.admission;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The parts of an AdmissionReview request the webhooks use. {@code object} is the raw JSON of the object under
 * review, bound to a Java type by each webhook so that binding errors can be reported in its own terms.
 */
public record AdmissionRequest(String uid, String group, String kind, String operation, String namespace,
        String name, JsonNode object, boolean dryRun) {
}
