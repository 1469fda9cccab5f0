package dev.jvisor.oci.json;

import java.util.List;

/** A JSON array; its element list is immutable. */
public record JsonArray(List<JsonValue> elements) implements JsonValue {
    public JsonArray {
        elements = List.copyOf(elements);
    }

    public static JsonArray ofStrings(List<String> strings) {
        return new JsonArray(strings.stream().<JsonValue>map(JsonString::new).toList());
    }

    @Override
    public String typeName() {
        return "array";
    }
}
