package dev.jvisor.oci.json;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A JSON object; members keep their order, and the map is immutable. */
public record JsonObject(Map<String, JsonValue> members) implements JsonValue {
    public JsonObject {
        members = Collections.unmodifiableMap(new LinkedHashMap<>(members));
    }

    public JsonValue get(String name) {
        return members.get(name);
    }

    @Override
    public String typeName() {
        return "object";
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds an object member by member; {@code null} values are left out. */
    public static final class Builder {
        private final Map<String, JsonValue> members = new LinkedHashMap<>();

        public Builder put(String name, JsonValue value) {
            if (value != null) members.put(name, value);
            return this;
        }

        public Builder put(String name, String value) {
            return value == null ? this : put(name, new JsonString(value));
        }

        public Builder put(String name, long value) {
            return put(name, JsonNumber.of(value));
        }

        public Builder put(String name, boolean value) {
            return put(name, JsonBoolean.of(value));
        }

        public JsonObject build() {
            return new JsonObject(members);
        }
    }
}
