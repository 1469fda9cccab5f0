package dev.jvisor.runsc.config;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Every sandbox-behaviour setting: one constant each, naming its key (used as the flag
 * {@code --key}, the config file key and the annotation {@code jvisor.dev/key}), default, help,
 * value type and whether a pod annotation may set it. See the package documentation for the
 * recipe to add one.
 */
public enum ConfigOption {
    PLATFORM("platform", "ptrace", "how application code traps into the Sentry: ptrace",
            AnnotationRule.NEVER) {
        @Override Object parse(String text) { return parseEnum(Platform.class, text); }
    },
    NETWORK("network", "none", "sandbox network: none (loopback only), sandbox (Sentry network stack), host",
            AnnotationRule.TIGHTEN_ONLY) {
        @Override Object parse(String text) { return parseEnum(Network.class, text); }
        // NONE is the most isolated: a larger number is stricter.
        @Override int strictness(Object value) { return Network.values().length - ((Network) value).ordinal(); }
    },
    FILE_ACCESS("file-access", "exclusive", "container files: exclusive (only the sandbox changes them) or shared",
            AnnotationRule.TIGHTEN_ONLY) {
        @Override Object parse(String text) { return parseEnum(FileAccess.class, text); }
        @Override int strictness(Object value) { return value == FileAccess.EXCLUSIVE ? 1 : 0; }
    },
    OVERLAY("overlay", "true", "writes to the root filesystem go to a memory overlay, never to the host",
            AnnotationRule.TIGHTEN_ONLY) {
        @Override Object parse(String text) { return parseBool(key(), text); }
        @Override int strictness(Object value) { return (Boolean) value ? 1 : 0; }
        @Override public boolean isBoolean() { return true; }
    },
    // Tracing writes what the application does to host logs: a pod may turn it off, never on.
    STRACE("strace", "false", "log every system call of the sandboxed application",
            AnnotationRule.TIGHTEN_ONLY) {
        @Override Object parse(String text) { return parseBool(key(), text); }
        @Override int strictness(Object value) { return (Boolean) value ? 0 : 1; }
        @Override public boolean isBoolean() { return true; }
    },
    DEBUG("debug", "false", "write debug lines to the debug log (or --log)",
            AnnotationRule.TIGHTEN_ONLY) {
        @Override Object parse(String text) { return parseBool(key(), text); }
        @Override int strictness(Object value) { return (Boolean) value ? 0 : 1; }
        @Override public boolean isBoolean() { return true; }
    },
    DEBUG_LOG("debug-log", "", "file that receives debug lines; empty: --log",
            AnnotationRule.NEVER) {
        @Override Object parse(String text) { return text.isEmpty() ? "" : Path.of(text).toString(); }
    },
    POLICY_SOCKET("policy-socket", "", "the node agent's policy socket; create asks it for each pod's settings (empty: no policy)",
            AnnotationRule.NEVER) {
        @Override Object parse(String text) { return text.isEmpty() ? "" : Path.of(text).toString(); }
    },
    POLICY_TIMEOUT_MS("policy-timeout-ms", "5000", "how long create waits for the node agent's policy answer",
            AnnotationRule.NEVER) {
        @Override Object parse(String text) { return parseMillis(key(), text); }
    },
    POLICY_FAIL_OPEN("policy-fail-open", "false", "create pods with the node's settings when the node agent cannot answer (default: refuse them)",
            AnnotationRule.NEVER) {
        @Override Object parse(String text) { return parseBool(key(), text); }
        @Override public boolean isBoolean() { return true; }
    };

    /** The annotation prefix pods use: {@code jvisor.dev/network: none}. */
    public static final String ANNOTATION_PREFIX = "jvisor.dev/";

    private final String key;
    private final String defaultText;
    private final String usage;
    private final AnnotationRule annotationRule;

    ConfigOption(String key, String defaultText, String usage, AnnotationRule annotationRule) {
        this.key = key;
        this.defaultText = defaultText;
        this.usage = usage;
        this.annotationRule = annotationRule;
    }

    public String key() {
        return key;
    }

    public String defaultText() {
        return defaultText;
    }

    public String usage() {
        return usage;
    }

    public AnnotationRule annotationRule() {
        return annotationRule;
    }

    /** Booleans are flags without a value ({@code --strace}); the rest take one. */
    public boolean isBoolean() {
        return false;
    }

    /** The typed value for {@code text}; IllegalArgumentException with a message for users when invalid. */
    abstract Object parse(String text);

    /** For TIGHTEN_ONLY settings: a larger number is more isolated. */
    int strictness(Object value) {
        throw new UnsupportedOperationException(key + " has no isolation order");
    }

    public static ConfigOption fromKey(String key) {
        for (ConfigOption o : values()) if (o.key.equals(key)) return o;
        return null;
    }

    private static <E extends Enum<E>> E parseEnum(Class<E> type, String text) {
        for (E e : type.getEnumConstants()) {
            if (e.name().toLowerCase(Locale.ROOT).replace('_', '-').equals(text)) return e;
        }
        String allowed = Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT).replace('_', '-')).collect(Collectors.joining(", "));
        throw new IllegalArgumentException("invalid value \"" + text + "\" (allowed: " + allowed + ")");
    }

    private static Integer parseMillis(String key, String text) {
        try {
            int ms = Integer.parseInt(text);
            if (ms >= 1 && ms <= 600_000) return ms;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("invalid value \"" + text + "\" for " + key + " (milliseconds, 1 to 600000)");
    }

    private static Boolean parseBool(String key, String text) {
        return switch (text) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw new IllegalArgumentException("invalid value \"" + text + "\" for " + key + " (allowed: true, false)");
        };
    }
}
