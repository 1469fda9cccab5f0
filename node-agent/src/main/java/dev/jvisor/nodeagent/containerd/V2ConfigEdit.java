package dev.jvisor.nodeagent.containerd;

import java.nio.file.Path;
import java.util.Optional;
import org.tomlj.TomlParseResult;

/**
 * Adds the jVisor runtime table to a containerd 1.x config (schema version 2, or 1 for old files),
 * leaving every byte of the user's file in place: the table is appended at the end.
 */
public final class V2ConfigEdit {

    private V2ConfigEdit() {
    }

    /** The edit for the config file at {@code file}. */
    public static FileEdit addRuntime(Path file, RuntimeHandler handler) {
        return new FileEdit(file, original -> addRuntime(original, file, handler));
    }

    static String addRuntime(Optional<String> original, Path file, RuntimeHandler handler)
            throws ContainerdConfigException {
        String text = original.orElse("version = 2\n");
        TomlParseResult parsed = TomlText.parse(text, file);
        CriPlugin plugin = schemaOf(parsed, file);
        if (RuntimeTable.isDefined(parsed, plugin, handler.name())) {
            throw new ContainerdConfigException(ContainerdConfigException.Reason.HANDLER_CONFLICT, file,
                    "a runtime named '" + handler.name() + "' is already configured");
        }
        RuntimeTable.refuseInlineParents(text, parsed, plugin, handler.name(), file);
        String nl = TomlText.lineSeparatorOf(text);
        String edited = TomlText.withFinalNewline(text) + nl + RuntimeTable.keepBuiltInDefault(parsed, plugin, nl)
                + RuntimeTable.render(plugin, handler, nl);
        TomlParseResult reparsed = reparse(edited, file);
        RuntimeTable.verify(reparsed, plugin, handler, file);
        return edited;
    }

    /** The schema a containerd 1.x config uses; version 3 belongs to containerd 2.x drop-ins. */
    static CriPlugin schemaOf(TomlParseResult parsed, Path file) throws ContainerdConfigException {
        Object version = parsed.get("version");
        if (version == null) {
            return CriPlugin.V1;
        }
        if (!(version instanceof Long v) || (v != 1 && v != 2)) {
            throw new ContainerdConfigException(ContainerdConfigException.Reason.UNSUPPORTED_VERSION, file,
                    "expected config version 1 or 2 for containerd 1.x, found " + version);
        }
        return CriPlugin.forConfigVersion(v);
    }

    /** Parses our edited text; failing here means the user's file cannot take our table. */
    static TomlParseResult reparse(String edited, Path file) throws ContainerdConfigException {
        try {
            return TomlText.parse(edited, file);
        } catch (ContainerdConfigException e) {
            throw new ContainerdConfigException(ContainerdConfigException.Reason.CANNOT_EXTEND, file,
                    "appending the runtime table makes the file invalid (" + e.getMessage() + ")", e);
        }
    }
}
