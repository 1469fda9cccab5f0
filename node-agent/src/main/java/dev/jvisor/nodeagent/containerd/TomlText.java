package dev.jvisor.nodeagent.containerd;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.tomlj.Toml;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;

/**
 * Small helpers for editing TOML as text. The user's file is never re-serialised (that would lose
 * comments, ordering and formatting); we only insert text at positions the parser reports, and
 * parse the result again to prove it means what we intended.
 */
final class TomlText {

    private static final Pattern BARE_KEY = Pattern.compile("[A-Za-z0-9_-]+");

    private TomlText() {
    }

    /** A TOML basic string literal for {@code value} (TOML 1.0 §String escapes). */
    static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\u%04X", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** A key as written in a table header: bare when allowed, quoted otherwise. */
    static String key(String part) {
        return BARE_KEY.matcher(part).matches() ? part : quote(part);
    }

    /** A dotted table path such as {@code plugins."io.containerd.grpc.v1.cri".containerd}. */
    static String path(List<String> parts) {
        return String.join(".", parts.stream().map(TomlText::key).toList());
    }

    /** The line separator the file already uses, so our lines match it. */
    static String lineSeparatorOf(String text) {
        return text.contains("\r\n") ? "\r\n" : "\n";
    }

    /** Parses {@code text}, turning syntax errors into a typed exception naming the first one. */
    static TomlParseResult parse(String text, Path file) throws ContainerdConfigException {
        TomlParseResult result = Toml.parse(text);
        if (result.hasErrors()) {
            TomlParseError first = result.errors().getFirst();
            throw new ContainerdConfigException(ContainerdConfigException.Reason.PARSE_ERROR, file,
                    first.getMessage());
        }
        return result;
    }

    /** The character offset of a parser position (1-based line and column) in {@code text}. */
    static int offsetOf(String text, TomlPosition position) {
        int offset = 0;
        for (int line = 1; line < position.line(); line++) {
            int newline = text.indexOf('\n', offset);
            if (newline < 0) {
                throw new IllegalArgumentException("position beyond end of text: " + position);
            }
            offset = newline + 1;
        }
        return offset + position.column() - 1;
    }

    /** The offset just past the end of the line containing {@code offset} (after its newline). */
    static int endOfLine(String text, int offset) {
        int newline = text.indexOf('\n', offset);
        return newline < 0 ? text.length() : newline + 1;
    }

    /** {@code text} with a trailing line separator, so that appended lines start on their own line. */
    static String withFinalNewline(String text) {
        if (text.isEmpty() || text.endsWith("\n")) {
            return text;
        }
        return text + lineSeparatorOf(text);
    }
}
