package dev.jvisor.runsc.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The resolved sandbox-behaviour settings of one runsc call, immutable. Build it with
 * {@link #defaults()} and the {@code with…} layers in precedence order (see the package
 * documentation); each layer returns a new config.
 */
public final class RunscConfig {
    private final Map<ConfigOption, Object> values;
    private final Map<ConfigOption, ConfigSource> sources;

    private RunscConfig(Map<ConfigOption, Object> values, Map<ConfigOption, ConfigSource> sources) {
        this.values = values;
        this.sources = sources;
    }

    public static RunscConfig defaults() {
        Map<ConfigOption, Object> values = new EnumMap<>(ConfigOption.class);
        Map<ConfigOption, ConfigSource> sources = new EnumMap<>(ConfigOption.class);
        for (ConfigOption o : ConfigOption.values()) {
            values.put(o, o.parse(o.defaultText()));
            sources.put(o, ConfigSource.DEFAULT);
        }
        return new RunscConfig(values, sources);
    }

    /** Applies command-line flag values, keyed by option. */
    public RunscConfig withFlags(Map<ConfigOption, String> flags) throws ConfigException {
        RunscConfig next = copy();
        for (Map.Entry<ConfigOption, String> e : flags.entrySet()) {
            next.set(e.getKey(), e.getValue(), ConfigSource.FLAG, "flag --" + e.getKey().key());
        }
        return next;
    }

    /** Applies the node's config file; a missing file changes nothing. */
    public RunscConfig withFile(Path file) throws ConfigException {
        if (file == null || !Files.exists(file)) return this;
        RunscConfig next = copy();
        for (ConfigFile.Entry e : ConfigFile.read(file)) {
            next.set(e.option(), e.value(), ConfigSource.FILE, file + ":" + e.line());
        }
        return next;
    }

    /**
     * Applies a pod's {@code jvisor.dev/*} annotations. Keys of other components in that
     * namespace are ignored; a runsc setting that pods may not set, or a value less isolated
     * than the current one, is refused: the sandbox must never be looser than the node chose.
     */
    public RunscConfig withAnnotations(Map<String, String> annotations) throws ConfigException {
        RunscConfig next = copy();
        for (Map.Entry<String, String> e : annotations.entrySet()) {
            if (!e.getKey().startsWith(ConfigOption.ANNOTATION_PREFIX)) continue;
            ConfigOption o = ConfigOption.fromKey(e.getKey().substring(ConfigOption.ANNOTATION_PREFIX.length()));
            if (o == null) continue;
            String where = "annotation " + e.getKey();
            if (o.annotationRule() == AnnotationRule.NEVER) {
                // Repeating the node's own choice (as a policy's complete annotation set does) is no request.
                if (namesCurrentValue(o, e.getValue())) continue;
                throw new ConfigException(where + ": " + o.key() + " is set by the node only, not by pod annotations");
            }
            Object proposed = parse(o, e.getValue(), where);
            if (o.strictness(proposed) < o.strictness(values.get(o))) {
                throw new ConfigException(where + ": \"" + e.getValue() + "\" is less isolated than this node's "
                        + o.key() + " setting; annotations may only tighten it");
            }
            next.values.put(o, proposed);
            next.sources.put(o, ConfigSource.ANNOTATION);
        }
        return next;
    }

    /**
     * Moves {@code option} to {@code text} if that is more isolated than its current value and
     * keeps the current value otherwise: how the node agent's policy and a pod's requests combine
     * with the node's own settings, the strictest winning.
     */
    public RunscConfig tightenedTo(ConfigOption option, String text, ConfigSource source) throws ConfigException {
        if (option.annotationRule() != AnnotationRule.TIGHTEN_ONLY) {
            throw new ConfigException(option.key() + " has no isolation order to tighten");
        }
        Object proposed = parse(option, text, source.name().toLowerCase(Locale.ROOT) + " " + option.key());
        if (option.strictness(proposed) <= option.strictness(values.get(option))) return this;
        RunscConfig next = copy();
        next.values.put(option, proposed);
        next.sources.put(option, source);
        return next;
    }

    public Optional<Path> policySocket() {
        String p = (String) values.get(ConfigOption.POLICY_SOCKET);
        return p.isEmpty() ? Optional.empty() : Optional.of(Path.of(p));
    }

    public int policyTimeoutMillis() {
        return (Integer) values.get(ConfigOption.POLICY_TIMEOUT_MS);
    }

    public boolean policyFailOpen() {
        return (Boolean) values.get(ConfigOption.POLICY_FAIL_OPEN);
    }

    public Platform platform() {
        return (Platform) values.get(ConfigOption.PLATFORM);
    }

    public Network network() {
        return (Network) values.get(ConfigOption.NETWORK);
    }

    public FileAccess fileAccess() {
        return (FileAccess) values.get(ConfigOption.FILE_ACCESS);
    }

    public boolean overlay() {
        return (Boolean) values.get(ConfigOption.OVERLAY);
    }

    public boolean strace() {
        return (Boolean) values.get(ConfigOption.STRACE);
    }

    public boolean debug() {
        return (Boolean) values.get(ConfigOption.DEBUG);
    }

    public Optional<Path> debugLog() {
        String p = (String) values.get(ConfigOption.DEBUG_LOG);
        return p.isEmpty() ? Optional.empty() : Optional.of(Path.of(p));
    }

    /** Where the current value of {@code option} came from. */
    public ConfigSource source(ConfigOption option) {
        return sources.get(option);
    }

    /** The current value of {@code option} as its config file would spell it. */
    public String text(ConfigOption option) {
        Object v = values.get(option);
        return v instanceof Enum<?> e ? e.name().toLowerCase(Locale.ROOT).replace('_', '-') : v.toString();
    }

    private RunscConfig copy() {
        return new RunscConfig(new EnumMap<>(values), new EnumMap<>(sources));
    }

    private void set(ConfigOption o, String text, ConfigSource source, String where) throws ConfigException {
        values.put(o, parse(o, text, where));
        sources.put(o, source);
    }

    private boolean namesCurrentValue(ConfigOption o, String text) {
        try {
            return text != null && o.parse(text).equals(values.get(o));
        } catch (IllegalArgumentException invalid) {
            return false;
        }
    }

    private static Object parse(ConfigOption o, String text, String where) throws ConfigException {
        try {
            return o.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + ": " + e.getMessage());
        }
    }
}
