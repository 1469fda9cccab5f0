package dev.jvisor.operator.admission;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads an AdmissionReview body strictly where it matters (apiVersion, kind, request.uid, request.kind,
 * request.operation, request.object) and tolerantly everywhere else: unknown fields are ignored, as the API
 * server may add some in later versions.
 */
public final class AdmissionReviewParser {

    static final String API_VERSION = "admission.k8s.io/v1";
    static final String KIND = "AdmissionReview";

    /** Nesting deeper than any real Pod or policy; bounds the parser's stack on hostile input. */
    private static final int MAX_NESTING = 200;

    private final ObjectMapper mapper;

    public AdmissionReviewParser(ObjectMapper mapper) {
        this.mapper = mapper.copy();
        this.mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING).build());
    }

    public AdmissionRequest parse(String body) throws MalformedAdmissionReviewException {
        if (body == null || body.isBlank()) {
            throw new MalformedAdmissionReviewException("empty body: expected an admission.k8s.io/v1 "
                    + "AdmissionReview");
        }
        JsonNode review;
        try {
            review = mapper.readTree(body);
        } catch (JsonProcessingException e) {
            throw new MalformedAdmissionReviewException("body is not valid JSON: " + e.getOriginalMessage());
        }
        if (review == null || !review.isObject()) {
            throw new MalformedAdmissionReviewException("body must be a JSON object (an AdmissionReview)");
        }
        String apiVersion = text(review, "apiVersion");
        if (!API_VERSION.equals(apiVersion)) {
            throw new MalformedAdmissionReviewException("apiVersion must be " + API_VERSION + ", got "
                    + describe(apiVersion));
        }
        if (!KIND.equals(text(review, "kind"))) {
            throw new MalformedAdmissionReviewException("kind must be " + KIND + ", got "
                    + describe(text(review, "kind")));
        }
        JsonNode request = review.get("request");
        if (request == null || !request.isObject()) {
            throw new MalformedAdmissionReviewException("request is missing or not an object");
        }
        String uid = required(request, "uid", "request.uid");
        JsonNode kind = request.get("kind");
        if (kind == null || !kind.isObject() || text(kind, "kind") == null) {
            throw new MalformedAdmissionReviewException("request.kind must be an object with group, version "
                    + "and kind");
        }
        String operation = required(request, "operation", "request.operation");
        JsonNode object = request.get("object");
        boolean needsObject = !"DELETE".equals(operation);
        if (needsObject && (object == null || !object.isObject())) {
            throw new MalformedAdmissionReviewException("request.object must be the object under review for "
                    + operation);
        }
        JsonNode dryRun = request.get("dryRun");
        return new AdmissionRequest(uid, orEmpty(text(kind, "group")), text(kind, "kind"), operation,
                text(request, "namespace"), text(request, "name"), object,
                dryRun != null && dryRun.asBoolean(false));
    }

    private static String required(JsonNode node, String field, String path)
            throws MalformedAdmissionReviewException {
        String value = text(node, field);
        if (value == null || value.isEmpty()) {
            throw new MalformedAdmissionReviewException(path + " is missing or not a string");
        }
        return value;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    private static String describe(String value) {
        return value == null ? "nothing" : "\"" + value + "\"";
    }
}
