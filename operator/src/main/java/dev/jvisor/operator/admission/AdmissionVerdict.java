package dev.jvisor.operator.admission;

import java.util.List;

/**
 * What a webhook decided: allowed or not (with an HTTP-style code and a message for the user), an optional JSON
 * patch, warnings shown by kubectl, and the governing policy (for metrics; null when none applies).
 */
public record AdmissionVerdict(boolean allowed, int code, String message, List<JsonPatchOperation> patch,
        List<String> warnings, String policy) {

    public AdmissionVerdict {
        patch = List.copyOf(patch);
        warnings = List.copyOf(warnings);
    }

    public static AdmissionVerdict allow(String policy, List<String> warnings) {
        return new AdmissionVerdict(true, 200, null, List.of(), warnings, policy);
    }

    public static AdmissionVerdict patch(String policy, List<JsonPatchOperation> patch) {
        return new AdmissionVerdict(true, 200, null, patch, List.of(), policy);
    }

    public static AdmissionVerdict deny(String policy, String message) {
        return new AdmissionVerdict(false, 403, message, List.of(), List.of(), policy);
    }

    /** A refusal because the decision could not be made; the API server reports the message. */
    public static AdmissionVerdict unavailable(String message) {
        return new AdmissionVerdict(false, 500, message, List.of(), List.of(), null);
    }

    public boolean mutates() {
        return !patch.isEmpty();
    }
}
