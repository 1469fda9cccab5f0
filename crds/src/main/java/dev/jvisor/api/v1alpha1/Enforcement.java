package dev.jvisor.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What the operator does with pods that a policy selects. */
public enum Enforcement {
    /** Pods get the policy's RuntimeClass; pods that try to opt out are rejected at admission. */
    @JsonProperty("Enforce")
    ENFORCE,
    /** Nothing is changed or rejected; unsandboxed pods are counted and reported. */
    @JsonProperty("Audit")
    AUDIT;

    /** The value as written in the API. */
    public String wireName() {
        return this == ENFORCE ? "Enforce" : "Audit";
    }
}
