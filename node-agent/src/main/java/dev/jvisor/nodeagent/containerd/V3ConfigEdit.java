package dev.jvisor.nodeagent.containerd;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Optional;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;

/**
 * containerd 2.x (config schema version 3): the runtime entry goes into a drop-in file of its own,
 * and the main config's {@code imports} names it. The drop-in is written before the import is
 * added and the import is removed before the drop-in, so containerd never sees a dangling import.
 */
public final class V3ConfigEdit {

    private V3ConfigEdit() {
    }

    /** The edit that writes the drop-in; it refuses to take over a file someone else wrote. */
    public static FileEdit writeDropIn(Path dropIn, RuntimeHandler handler) {
        return new FileEdit(dropIn, original -> {
            if (original.isPresent()) {
                throw new ContainerdConfigException(ContainerdConfigException.Reason.FOREIGN_FILE, dropIn,
                        "the drop-in file exists and was not written by the jVisor node agent");
            }
            return dropInContent(handler, dropIn);
        });
    }

    static String dropInContent(RuntimeHandler handler, Path file) throws ContainerdConfigException {
        String text = "version = 3\n\n" + RuntimeTable.render(CriPlugin.V3, handler, "\n");
        RuntimeTable.verify(TomlText.parse(text, file), CriPlugin.V3, handler, file);
        return text;
    }

    /**
     * The edit that makes the main config import {@code dropInHostPath}.
     *
     * @param mainConfig         the main config as the agent reaches it (under the host root mount)
     * @param mainConfigHostPath the main config's path as containerd sees it (relative imports
     *                           resolve against its directory)
     * @param dropInHostPath     the drop-in's path as containerd sees it
     * @param handler            the handler, to refuse a main config that already defines it
     */
    public static FileEdit addImport(Path mainConfig, String mainConfigHostPath, String dropInHostPath,
            RuntimeHandler handler) {
        return new FileEdit(mainConfig,
                original -> addImport(original, mainConfig, mainConfigHostPath, dropInHostPath, handler));
    }

    static String addImport(Optional<String> original, Path file, String mainConfigHostPath,
            String dropInHostPath, RuntimeHandler handler) throws ContainerdConfigException {
        if (original.isEmpty()) {
            return "version = 3\nimports = [" + TomlText.quote(dropInHostPath) + "]\n";
        }
        String text = original.get();
        TomlParseResult parsed = TomlText.parse(text, file);
        Object version = parsed.get("version");
        if (!Long.valueOf(3).equals(version)) {
            throw new ContainerdConfigException(ContainerdConfigException.Reason.UNSUPPORTED_VERSION, file,
                    "expected config version 3 for containerd 2.x, found " + version);
        }
        if (RuntimeTable.isDefined(parsed, CriPlugin.V3, handler.name())) {
            throw new ContainerdConfigException(ContainerdConfigException.Reason.HANDLER_CONFLICT, file,
                    "a runtime named '" + handler.name() + "' is already configured");
        }
        Object imports = parsed.get("imports");
        String edited;
        if (imports == null) {
            edited = insertImportsLine(text, parsed, dropInHostPath);
        } else if (imports instanceof TomlArray array && array.toList().stream().allMatch(String.class::isInstance)) {
            if (alreadyImported(array, mainConfigHostPath, dropInHostPath)) {
                return text;
            }
            edited = insertIntoArray(text, parsed.inputPositionOf("imports"), dropInHostPath, file);
        } else {
            throw new ContainerdConfigException(ContainerdConfigException.Reason.CANNOT_EXTEND, file,
                    "'imports' is not an array of strings");
        }
        TomlParseResult reparsed = V2ConfigEdit.reparse(edited, file);
        if (!(reparsed.get("imports") instanceof TomlArray after) || !after.toList().contains(dropInHostPath)) {
            throw new ContainerdConfigException(ContainerdConfigException.Reason.CANNOT_EXTEND, file,
                    "the edited config does not read back with the import");
        }
        return edited;
    }

    /** Whether an existing import (a path or a glob) already covers the drop-in. */
    static boolean alreadyImported(TomlArray imports, String mainConfigHostPath, String dropInHostPath) {
        Path dropIn = Path.of(dropInHostPath);
        Path configDir = Path.of(mainConfigHostPath).getParent();
        for (Object entry : imports.toList()) {
            String pattern = (String) entry;
            Path resolved = configDir == null ? Path.of(pattern) : configDir.resolve(pattern);
            if (resolved.normalize().equals(dropIn)) {
                return true;
            }
            try {
                if (FileSystems.getDefault().getPathMatcher("glob:" + resolved).matches(dropIn)) {
                    return true;
                }
            } catch (IllegalArgumentException notAGlob) {
                // An entry our glob syntax cannot read cannot be relied on to cover the drop-in.
            }
        }
        return false;
    }

    /** Adds {@code imports = [..]} on the line after {@code version}, which is in the root table. */
    private static String insertImportsLine(String text, TomlParseResult parsed, String dropInHostPath) {
        int at = TomlText.endOfLine(text, TomlText.offsetOf(text, parsed.inputPositionOf("version")));
        String nl = TomlText.lineSeparatorOf(text);
        String prefix = TomlText.withFinalNewline(text.substring(0, at));
        return prefix + "imports = [" + TomlText.quote(dropInHostPath) + "]" + nl + text.substring(at);
    }

    /** Puts the drop-in first in the existing array, touching nothing else in it. */
    private static String insertIntoArray(String text, TomlPosition keyPosition, String dropInHostPath, Path file)
            throws ContainerdConfigException {
        int at = TomlText.offsetOf(text, keyPosition);
        if (text.charAt(at) != '[') {
            int equals = text.indexOf('=', at);
            at = equals < 0 ? -1 : text.indexOf('[', equals);
        }
        if (at < 0) {
            throw new ContainerdConfigException(ContainerdConfigException.Reason.CANNOT_EXTEND, file,
                    "cannot locate the 'imports' array");
        }
        int afterBracket = at + 1;
        String entry = TomlText.quote(dropInHostPath);
        if (isEmptyArrayAt(text, afterBracket)) {
            return text.substring(0, afterBracket) + entry + text.substring(afterBracket);
        }
        int lineEnd = TomlText.endOfLine(text, afterBracket);
        if (text.substring(afterBracket, lineEnd).isBlank()) {
            // One element per line: add ours as a line of its own, indented like the next one.
            String indent = leadingWhitespace(text, lineEnd);
            String nl = TomlText.lineSeparatorOf(text);
            return text.substring(0, lineEnd) + indent + entry + "," + nl + text.substring(lineEnd);
        }
        return text.substring(0, afterBracket) + entry + ", " + text.substring(afterBracket);
    }

    private static String leadingWhitespace(String text, int lineStart) {
        int i = lineStart;
        while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
            i++;
        }
        return text.substring(lineStart, i);
    }

    /** Whether only whitespace and comments stand between {@code from} and the closing bracket. */
    private static boolean isEmptyArrayAt(String text, int from) {
        int i = from;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '#') {
                i = TomlText.endOfLine(text, i);
            } else if (Character.isWhitespace(c)) {
                i++;
            } else {
                return c == ']';
            }
        }
        return false;
    }
}
