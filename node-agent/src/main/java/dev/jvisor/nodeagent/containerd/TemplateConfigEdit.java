package dev.jvisor.nodeagent.containerd;

import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * k3s and rke2 generate containerd's config from a Go template on every start, so the runtime entry
 * goes into their template ({@code config.toml.tmpl} for containerd 1.x, {@code config-v3.toml.tmpl}
 * for 2.x). A new template renders the distribution's own config first with
 * {@code {{ template "base" . }}} and then our table; a user's template keeps its text and gets our
 * table appended. Templates are not TOML, so only our own block is parsed.
 */
public final class TemplateConfigEdit {

    /** Renders the distribution's generated config; k3s and rke2 define the "base" template. */
    public static final String BASE_TEMPLATE = "{{ template \"base\" . }}";

    private TemplateConfigEdit() {
    }

    public static FileEdit addRuntime(Path template, CriPlugin plugin, RuntimeHandler handler) {
        return new FileEdit(template, original -> addRuntime(original, template, plugin, handler));
    }

    static String addRuntime(Optional<String> original, Path file, CriPlugin plugin, RuntimeHandler handler)
            throws ContainerdConfigException {
        String text = original.orElse(BASE_TEMPLATE + "\n");
        if (mentionsHandler(text, handler.name())) {
            throw new ContainerdConfigException(ContainerdConfigException.Reason.HANDLER_CONFLICT, file,
                    "the template already configures a runtime named '" + handler.name() + "'");
        }
        String nl = TomlText.lineSeparatorOf(text);
        String block = RuntimeTable.render(plugin, handler, nl);
        String versionLine = "version = " + plugin.configVersion() + nl + nl;
        RuntimeTable.verify(TomlText.parse(versionLine + block, file), plugin, handler, file);
        return TomlText.withFinalNewline(text) + nl + block;
    }

    /** A text check: the template cannot be parsed as TOML before the distribution renders it. */
    private static boolean mentionsHandler(String template, String handler) {
        String quotedOrBare = "(" + Pattern.quote(handler) + "|\"" + Pattern.quote(handler) + "\"|'"
                + Pattern.quote(handler) + "')";
        return Pattern.compile("runtimes\\s*\\.\\s*" + quotedOrBare + "\\s*[\\].]").matcher(template).find();
    }
}
