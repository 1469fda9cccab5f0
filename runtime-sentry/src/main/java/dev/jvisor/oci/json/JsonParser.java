package dev.jvisor.oci.json;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses one JSON text (RFC 8259, nothing more: no comments, trailing commas, NaN, or single
 * quotes). Hostile input ends in a {@link JsonSyntaxException}, never in a stack overflow or an
 * unbounded allocation beyond the input's own size.
 */
public final class JsonParser {
    /** Deeper than any real OCI document (config.json nests about 6 levels). */
    public static final int MAX_DEPTH = 128;

    private final String text;
    private int pos;

    private JsonParser(String text) {
        this.text = text;
    }

    /** Parses {@code text}, which must hold exactly one value (surrounding whitespace allowed). */
    public static JsonValue parse(String text) throws JsonSyntaxException {
        JsonParser p = new JsonParser(text);
        p.skipWhitespace();
        JsonValue v = p.value(0);
        p.skipWhitespace();
        if (p.pos != text.length()) throw p.error("unexpected data after the JSON value");
        return v;
    }

    private JsonValue value(int depth) throws JsonSyntaxException {
        if (pos >= text.length()) throw error("unexpected end of input, expected a value");
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> object(depth + 1);
            case '[' -> array(depth + 1);
            case '"' -> new JsonString(string());
            case 't' -> literal("true", JsonBoolean.TRUE);
            case 'f' -> literal("false", JsonBoolean.FALSE);
            case 'n' -> literal("null", JsonNull.INSTANCE);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) yield number();
                throw error("unexpected character " + describe(c) + ", expected a value");
            }
        };
    }

    private JsonObject object(int depth) throws JsonSyntaxException {
        checkDepth(depth);
        pos++; // '{'
        Map<String, JsonValue> members = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return new JsonObject(members);
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') throw error("expected a member name in double quotes");
            int nameAt = pos;
            String name = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            JsonValue v = value(depth);
            if (members.putIfAbsent(name, v) != null) {
                throw new JsonSyntaxException("duplicate member name \"" + printable(name) + "\"", nameAt);
            }
            skipWhitespace();
            char c = next("',' or '}' in an object");
            if (c == '}') return new JsonObject(members);
            if (c != ',') throw errorBefore("expected ',' or '}' in an object, found " + describe(c));
        }
    }

    private JsonArray array(int depth) throws JsonSyntaxException {
        checkDepth(depth);
        pos++; // '['
        List<JsonValue> elements = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return new JsonArray(elements);
        }
        while (true) {
            skipWhitespace();
            elements.add(value(depth));
            skipWhitespace();
            char c = next("',' or ']' in an array");
            if (c == ']') return new JsonArray(elements);
            if (c != ',') throw errorBefore("expected ',' or ']' in an array, found " + describe(c));
        }
    }

    private String string() throws JsonSyntaxException {
        pos++; // opening quote
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) throw error("unterminated string");
            char c = text.charAt(pos++);
            if (c == '"') return sb.toString();
            if (c < 0x20) throw errorBefore("control character " + describe(c) + " in a string (must be escaped)");
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= text.length()) throw error("unterminated escape sequence");
            char e = text.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> sb.append(hex4());
                default -> throw errorBefore("invalid escape \\" + describe(e));
            }
        }
    }

    private char hex4() throws JsonSyntaxException {
        if (pos + 4 > text.length()) throw error("truncated \\u escape");
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(text.charAt(pos + i), 16);
            if (d < 0) throw error("invalid hex digit in \\u escape");
            v = v * 16 + d;
        }
        pos += 4;
        return (char) v;
    }

    private JsonNumber number() throws JsonSyntaxException {
        int start = pos;
        if (peek() == '-') pos++;
        if (peek() == '0') {
            pos++;
            if (isDigit(peek())) throw error("leading zero in a number");
        } else if (!digits()) {
            throw error("expected a digit");
        }
        if (peek() == '.') {
            pos++;
            if (!digits()) throw error("expected a digit after the decimal point");
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') pos++;
            if (!digits()) throw error("expected a digit in the exponent");
        }
        try {
            return new JsonNumber(new BigDecimal(text.substring(start, pos)));
        } catch (NumberFormatException outOfRange) {
            throw new JsonSyntaxException("number out of range", start);
        }
    }

    private boolean digits() {
        int start = pos;
        while (isDigit(peek())) pos++;
        return pos > start;
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private JsonValue literal(String word, JsonValue v) throws JsonSyntaxException {
        if (!text.startsWith(word, pos)) throw error("invalid literal, expected " + word);
        pos += word.length();
        return v;
    }

    private void checkDepth(int depth) throws JsonSyntaxException {
        if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH + " levels");
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
            pos++;
        }
    }

    /** The next char, or -1 at the end. */
    private int peek() {
        return pos < text.length() ? text.charAt(pos) : -1;
    }

    private char next(String expected) throws JsonSyntaxException {
        if (pos >= text.length()) throw error("unexpected end of input, expected " + expected);
        return text.charAt(pos++);
    }

    private void expect(char c) throws JsonSyntaxException {
        if (peek() != c) throw error("expected '" + c + "'");
        pos++;
    }

    private JsonSyntaxException error(String message) {
        return new JsonSyntaxException(message, pos);
    }

    private JsonSyntaxException errorBefore(String message) {
        return new JsonSyntaxException(message, pos - 1);
    }

    private static String describe(int c) {
        return c >= 0x20 && c < 0x7f ? "'" + (char) c + "'" : String.format("U+%04X", c);
    }

    /** Names quoted in messages stay on one line and short, whatever the input holds. */
    private static String printable(String s) {
        String cut = s.length() > 64 ? s.substring(0, 64) + "…" : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
