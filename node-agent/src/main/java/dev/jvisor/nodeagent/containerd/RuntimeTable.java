package dev.jvisor.nodeagent.containerd;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseResult;

/**
 * Renders the jVisor runtime entry as TOML table text, and checks a parsed config for it. The text
 * is appended to configs (never merged into the user's tables) so that removing it or restoring the
 * backup gives back the user's bytes.
 */
final class RuntimeTable {

    static final String HEADER_COMMENT =
            "# jVisor runtime handler: added by the jVisor node agent, removed when it uninstalls.";

    private RuntimeTable() {
    }

    static String render(CriPlugin plugin, RuntimeHandler handler, String nl) {
        String annotations = handler.podAnnotations().stream()
                .map(TomlText::quote)
                .collect(Collectors.joining(", ", "[", "]"));
        return HEADER_COMMENT + nl
                + "[" + TomlText.path(plugin.runtimePath(handler.name())) + "]" + nl
                + "  runtime_type = " + TomlText.quote(RuntimeHandler.RUNTIME_TYPE) + nl
                + "  pod_annotations = " + annotations + nl
                + nl
                + "[" + TomlText.path(plugin.optionsPath(handler.name())) + "]" + nl
                + "  BinaryName = " + TomlText.quote(handler.binaryName()) + nl
                + "  Root = " + TomlText.quote(handler.root()) + nl;
    }

    /** containerd 1.x's built-in default runtime, present only while a config names no runtime. */
    static final String BUILT_IN_DEFAULT = "runc";

    /**
     * containerd 1.x decodes {@code runtimes} over its defaults as a whole: a config that names any
     * runtime loses the built-in {@code runc}, and the CRI plugin then refuses to load because the
     * default runtime is gone. When the config relies on that built-in, we write it out with the
     * same type, so adding our runtime does not change what the user's pods run in.
     */
    static String keepBuiltInDefault(TomlParseResult config, CriPlugin plugin, String nl) {
        List<String> containerd = plugin.runtimePath(BUILT_IN_DEFAULT).subList(0, 3);
        Object defaultName = config.get(append(containerd, "default_runtime_name"));
        boolean usesBuiltIn = defaultName == null || BUILT_IN_DEFAULT.equals(defaultName);
        if (!usesBuiltIn || isDefined(config, plugin, BUILT_IN_DEFAULT)) {
            return "";
        }
        return "# containerd's built-in default runtime, spelled out: naming any runtime drops the built-in one."
                + nl + "[" + TomlText.path(plugin.runtimePath(BUILT_IN_DEFAULT)) + "]" + nl
                + "  runtime_type = " + TomlText.quote(RuntimeHandler.RUNTIME_TYPE) + nl + nl;
    }

    /** Whether the config defines any runtime with this handler's name. */
    static boolean isDefined(TomlParseResult config, CriPlugin plugin, String handler) {
        return config.get(plugin.runtimePath(handler)) != null;
    }

    /**
     * Refuses a config where a table on the way to our runtime table is an inline table: TOML
     * (and containerd's parser) forbid adding a {@code [table]} inside one, though tomlj accepts it.
     * A dotted key ending in an inline table ({@code runtimes.runc = {...}}) is refused as well;
     * that is stricter than TOML needs, and safe.
     */
    static void refuseInlineParents(String text, TomlParseResult config, CriPlugin plugin, String handler,
            Path file) throws ContainerdConfigException {
        List<String> path = plugin.runtimePath(handler);
        for (int length = 1; length < path.size(); length++) {
            List<String> prefix = path.subList(0, length);
            var position = config.inputPositionOf(prefix);
            if (position != null && definesInlineValue(text, TomlText.offsetOf(text, position))) {
                throw new ContainerdConfigException(ContainerdConfigException.Reason.CANNOT_EXTEND, file,
                        "'" + TomlText.path(prefix) + "' is an inline table; a runtime table cannot be added to it");
            }
        }
    }

    /** Whether the key at {@code offset} is assigned (not a [header]) and its value starts with '{'. */
    private static boolean definesInlineValue(String text, int offset) {
        if (offset >= text.length() || text.charAt(offset) == '[') {
            return false;
        }
        int lineEnd = TomlText.endOfLine(text, offset);
        char quote = 0;
        for (int i = offset; i < lineEnd; i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '=') {
                String value = text.substring(i + 1, lineEnd).stripLeading();
                return value.startsWith("{");
            } else if (c == ']') {
                return false;
            }
        }
        return false;
    }

    /**
     * Proves that {@code config} (the result of our edit, parsed) carries the entry exactly as
     * intended: a parser that reads our text differently than we meant is caught here, not by
     * containerd at restart.
     */
    static void verify(TomlParseResult config, CriPlugin plugin, RuntimeHandler handler, Path file)
            throws ContainerdConfigException {
        List<String> runtime = plugin.runtimePath(handler.name());
        List<String> options = plugin.optionsPath(handler.name());
        boolean ok = RuntimeHandler.RUNTIME_TYPE.equals(stringAt(config, runtime, "runtime_type"))
                && handler.binaryName().equals(stringAt(config, options, "BinaryName"))
                && handler.root().equals(stringAt(config, options, "Root"))
                && handler.podAnnotations().equals(arrayAt(config, runtime, "pod_annotations"));
        if (!ok) {
            throw new ContainerdConfigException(ContainerdConfigException.Reason.CANNOT_EXTEND, file,
                    "the edited config does not read back with the jVisor runtime entry");
        }
    }

    private static String stringAt(TomlParseResult config, List<String> table, String key) {
        Object value = config.get(append(table, key));
        return value instanceof String s ? s : null;
    }

    private static List<Object> arrayAt(TomlParseResult config, List<String> table, String key) {
        Object value = config.get(append(table, key));
        return value instanceof TomlArray array ? array.toList() : null;
    }

    private static List<String> append(List<String> path, String key) {
        Objects.requireNonNull(key);
        return java.util.stream.Stream.concat(path.stream(), java.util.stream.Stream.of(key)).toList();
    }
}
