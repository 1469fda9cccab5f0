package dev.jvisor.oci.json;

/** One JSON value. */
public sealed interface JsonValue permits JsonObject, JsonArray, JsonString, JsonNumber, JsonBoolean, JsonNull {

    /** The JSON type name used in error messages ("object", "string", …). */
    String typeName();
}
