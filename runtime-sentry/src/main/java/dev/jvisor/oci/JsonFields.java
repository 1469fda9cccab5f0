package dev.jvisor.oci;

import dev.jvisor.oci.json.JsonArray;
import dev.jvisor.oci.json.JsonBoolean;
import dev.jvisor.oci.json.JsonNull;
import dev.jvisor.oci.json.JsonNumber;
import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.oci.json.JsonString;
import dev.jvisor.oci.json.JsonValue;
import dev.jvisor.oci.json.JsonWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Typed access to the members of one JSON object, each error naming the field by its full path.
 * An absent member and an explicit {@code null} both count as "not set".
 */
final class JsonFields {
    private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private final JsonObject object;
    private final String path;

    JsonFields(JsonObject object, String path) {
        this.object = object;
        this.path = path;
    }

    static JsonFields of(JsonValue v, String path) throws OciConfigException {
        if (!(v instanceof JsonObject o)) throw wrongType(path, "an object", v);
        return new JsonFields(o, path);
    }

    String path(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    boolean has(String name) {
        JsonValue v = object.get(name);
        return v != null && v != JsonNull.INSTANCE;
    }

    private JsonValue raw(String name) {
        JsonValue v = object.get(name);
        return v == JsonNull.INSTANCE ? null : v;
    }

    String requiredString(String name) throws OciConfigException {
        String s = string(name, null);
        if (s == null) throw new OciConfigException(path(name), "required");
        return s;
    }

    String string(String name, String orElse) throws OciConfigException {
        JsonValue v = raw(name);
        if (v == null) return orElse;
        return asString(v, path(name));
    }

    boolean bool(String name, boolean orElse) throws OciConfigException {
        JsonValue v = raw(name);
        if (v == null) return orElse;
        if (!(v instanceof JsonBoolean b)) throw wrongType(path(name), "true or false", v);
        return b.value();
    }

    /** A signed integer in [min, max]; empty when not set. */
    OptionalLong integer(String name, long min, long max) throws OciConfigException {
        JsonValue v = raw(name);
        if (v == null) return OptionalLong.empty();
        return OptionalLong.of(asInteger(v, path(name), min, max));
    }

    /** An unsigned 64-bit integer (rlimits); returned as its two's-complement bits. */
    OptionalLong uint64(String name) throws OciConfigException {
        JsonValue v = raw(name);
        if (v == null) return OptionalLong.empty();
        if (!(v instanceof JsonNumber n)) throw wrongType(path(name), "an unsigned 64-bit integer", v);
        BigDecimal d = n.value();
        BigInteger i;
        try {
            // Reject huge exponents before toBigIntegerExact could expand them.
            if (d.precision() - d.scale() > 21) throw new ArithmeticException();
            i = d.toBigIntegerExact();
        } catch (ArithmeticException notInteger) {
            throw new OciConfigException(path(name), "expected an unsigned 64-bit integer, got " + d);
        }
        if (i.signum() < 0 || i.compareTo(UINT64_MAX) > 0) {
            throw new OciConfigException(path(name), "out of range 0.." + UINT64_MAX + ": " + i);
        }
        return OptionalLong.of(i.longValue());
    }

    List<String> strings(String name) throws OciConfigException {
        JsonValue v = raw(name);
        if (v == null) return List.of();
        List<String> out = new ArrayList<>();
        List<JsonValue> elements = array(v, path(name));
        for (int i = 0; i < elements.size(); i++) {
            out.add(asString(elements.get(i), path(name) + "[" + i + "]"));
        }
        return List.copyOf(out);
    }

    List<Long> integers(String name, long min, long max) throws OciConfigException {
        JsonValue v = raw(name);
        if (v == null) return List.of();
        List<Long> out = new ArrayList<>();
        List<JsonValue> elements = array(v, path(name));
        for (int i = 0; i < elements.size(); i++) {
            out.add(asInteger(elements.get(i), path(name) + "[" + i + "]", min, max));
        }
        return List.copyOf(out);
    }

    Map<String, String> stringMap(String name) throws OciConfigException {
        JsonValue v = raw(name);
        if (v == null) return Map.of();
        if (!(v instanceof JsonObject o)) throw wrongType(path(name), "an object of strings", v);
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonValue> e : o.members().entrySet()) {
            String field = path(name) + "[" + quotedKey(e.getKey()) + "]";
            if (e.getKey().isEmpty()) throw new OciConfigException(field, "empty key");
            out.put(e.getKey(), asString(e.getValue(), field));
        }
        return out;
    }

    /** A nested object, or null when not set. */
    JsonFields object(String name) throws OciConfigException {
        JsonValue v = raw(name);
        return v == null ? null : of(v, path(name));
    }

    /** The elements of an array-of-objects member, each wrapped with its own path. */
    List<JsonFields> objects(String name) throws OciConfigException {
        JsonValue v = raw(name);
        if (v == null) return List.of();
        List<JsonValue> elements = array(v, path(name));
        List<JsonFields> out = new ArrayList<>(elements.size());
        for (int i = 0; i < elements.size(); i++) out.add(of(elements.get(i), path(name) + "[" + i + "]"));
        return out;
    }

    private static List<JsonValue> array(JsonValue v, String path) throws OciConfigException {
        if (!(v instanceof JsonArray a)) throw wrongType(path, "an array", v);
        return a.elements();
    }

    private static String asString(JsonValue v, String path) throws OciConfigException {
        if (!(v instanceof JsonString s)) throw wrongType(path, "a string", v);
        if (s.value().indexOf('\0') >= 0) throw new OciConfigException(path, "contains a NUL character");
        return s.value();
    }

    private static long asInteger(JsonValue v, String path, long min, long max) throws OciConfigException {
        if (!(v instanceof JsonNumber n)) throw wrongType(path, "an integer", v);
        OptionalLong l = n.longValueExact();
        if (l.isEmpty() || l.getAsLong() < min || l.getAsLong() > max) {
            throw new OciConfigException(path, "expected an integer in " + min + ".." + max + ", got " + n.value());
        }
        return l.getAsLong();
    }

    static OciConfigException wrongType(String path, String expected, JsonValue got) {
        return new OciConfigException(path, "expected " + expected + ", got " + (got == null ? "nothing" : got.typeName()));
    }

    /** Map keys appear in field paths quoted, cut short, with control characters escaped. */
    private static String quotedKey(String key) {
        return JsonWriter.quote(key.length() > 64 ? key.substring(0, 64) + "…" : key);
    }
}
