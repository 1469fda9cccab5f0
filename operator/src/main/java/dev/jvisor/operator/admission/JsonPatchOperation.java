package dev.jvisor.operator.admission;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One RFC 6902 JSON Patch operation. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JsonPatchOperation(String op, String path, Object value) {

    public static JsonPatchOperation add(String path, Object value) {
        return new JsonPatchOperation("add", path, value);
    }

    public static JsonPatchOperation remove(String path) {
        return new JsonPatchOperation("remove", path, null);
    }

    /** Escapes one reference token of an RFC 6901 JSON Pointer ("~" then "/"), e.g. an annotation key. */
    public static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }
}
