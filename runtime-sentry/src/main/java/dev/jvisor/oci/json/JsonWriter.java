package dev.jvisor.oci.json;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Writes JSON values: compact (one line, for logs and state files) or indented (for people). */
public final class JsonWriter {
    private JsonWriter() {}

    /** One line, no spaces. */
    public static String compact(JsonValue v) {
        StringBuilder sb = new StringBuilder();
        write(sb, v, -1);
        return sb.toString();
    }

    /** Indented by two spaces per level. */
    public static String pretty(JsonValue v) {
        StringBuilder sb = new StringBuilder();
        write(sb, v, 0);
        return sb.toString();
    }

    /** A JSON string literal for {@code s}, quotes included. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2);
        appendString(sb, s);
        return sb.toString();
    }

    /** @param indent current depth when pretty-printing, or -1 for compact output */
    private static void write(StringBuilder sb, JsonValue v, int indent) {
        switch (v) {
            case JsonString s -> appendString(sb, s.value());
            case JsonNumber n -> sb.append(n.value().toString());
            case JsonBoolean b -> sb.append(b.value());
            case JsonNull ignored -> sb.append("null");
            case JsonArray a -> writeArray(sb, a.elements(), indent);
            case JsonObject o -> writeObject(sb, o.members(), indent);
        }
    }

    private static void writeArray(StringBuilder sb, List<JsonValue> elements, int indent) {
        if (elements.isEmpty()) {
            sb.append("[]");
            return;
        }
        sb.append('[');
        for (int i = 0; i < elements.size(); i++) {
            if (i > 0) sb.append(',');
            newline(sb, indent + 1, indent);
            write(sb, elements.get(i), indent < 0 ? -1 : indent + 1);
        }
        newline(sb, indent, indent);
        sb.append(']');
    }

    private static void writeObject(StringBuilder sb, Map<String, JsonValue> members, int indent) {
        if (members.isEmpty()) {
            sb.append("{}");
            return;
        }
        sb.append('{');
        Iterator<Map.Entry<String, JsonValue>> it = members.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, JsonValue> m = it.next();
            newline(sb, indent + 1, indent);
            appendString(sb, m.getKey());
            sb.append(indent < 0 ? ":" : ": ");
            write(sb, m.getValue(), indent < 0 ? -1 : indent + 1);
            if (it.hasNext()) sb.append(',');
        }
        newline(sb, indent, indent);
        sb.append('}');
    }

    private static void newline(StringBuilder sb, int depth, int indent) {
        if (indent < 0) return;
        sb.append('\n');
        sb.repeat("  ", depth);
    }

    private static void appendString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    // Control chars, and the two separators some JavaScript readers take as line ends.
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
