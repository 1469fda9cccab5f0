package dev.jvisor.runsc.config;

import dev.jvisor.runsc.cli.IoErrors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Reads {@code runsc.toml}: the subset of TOML a flat list of settings needs. One
 * {@code key = value} per line; the value is a bare word ({@code none}, {@code true}) or a
 * double-quoted string with {@code \"} and {@code \\} escapes; {@code #} starts a comment.
 * Unknown keys, repeated keys and tables are errors: a typo must not silently leave a
 * node less isolated than its admin believes.
 */
final class ConfigFile {
    static final int MAX_BYTES = 64 << 10;

    record Entry(ConfigOption option, String value, int line) {}

    private ConfigFile() {}

    static List<Entry> read(Path file) throws ConfigException {
        // Opening a FIFO or a device would block or never end; only a regular file is a config.
        if (!Files.isRegularFile(file)) throw new ConfigException("config file " + file + " is not a regular file");
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + IoErrors.reason(e));
        }
        if (bytes.length > MAX_BYTES) throw new ConfigException(file + ": larger than " + MAX_BYTES + " bytes");
        return parse(new String(bytes, StandardCharsets.UTF_8), file.toString());
    }

    static List<Entry> parse(String text, String name) throws ConfigException {
        List<Entry> entries = new ArrayList<>();
        Set<ConfigOption> seen = EnumSet.noneOf(ConfigOption.class);
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            String line = stripComment(lines[i], name, lineNo).strip();
            if (line.isEmpty()) continue;
            if (line.startsWith("[")) throw new ConfigException(name + ":" + lineNo + ": tables are not supported; write key = value");
            int eq = line.indexOf('=');
            if (eq < 0) throw new ConfigException(name + ":" + lineNo + ": expected key = value");
            String key = line.substring(0, eq).strip();
            ConfigOption option = ConfigOption.fromKey(key);
            if (option == null) throw new ConfigException(name + ":" + lineNo + ": unknown key \"" + key + "\"");
            if (!seen.add(option)) throw new ConfigException(name + ":" + lineNo + ": \"" + key + "\" set twice");
            entries.add(new Entry(option, value(line.substring(eq + 1).strip(), name, lineNo), lineNo));
        }
        return entries;
    }

    /** Drops a {@code #} comment that is not inside a quoted string. */
    private static String stripComment(String line, String name, int lineNo) throws ConfigException {
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted && c == '\\') i++;
            else if (c == '"') quoted = !quoted;
            else if (c == '#' && !quoted) return line.substring(0, i);
        }
        if (quoted) throw new ConfigException(name + ":" + lineNo + ": unterminated string");
        return line;
    }

    private static String value(String raw, String name, int lineNo) throws ConfigException {
        if (raw.isEmpty()) throw new ConfigException(name + ":" + lineNo + ": missing value");
        if (!raw.startsWith("\"")) {
            if (raw.chars().anyMatch(c -> Character.isWhitespace(c) || c == '"')) {
                throw new ConfigException(name + ":" + lineNo + ": a value with spaces or quotes must be quoted");
            }
            return raw;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '"') {
                if (i != raw.length() - 1) throw new ConfigException(name + ":" + lineNo + ": text after the closing quote");
                return sb.toString();
            }
            if (c == '\\') {
                if (++i >= raw.length()) break;
                char e = raw.charAt(i);
                if (e != '"' && e != '\\') throw new ConfigException(name + ":" + lineNo + ": unsupported escape \\" + e);
                c = e;
            }
            sb.append(c);
        }
        throw new ConfigException(name + ":" + lineNo + ": unterminated string");
    }
}
