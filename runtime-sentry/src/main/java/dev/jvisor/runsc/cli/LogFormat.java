package dev.jvisor.runsc.cli;

import java.util.Optional;

/** {@code --log-format}: how lines in the {@code --log} file look. */
public enum LogFormat {
    /** {@code time="…" level=error msg="…"}, as logrus writes text. */
    TEXT,
    /** {@code {"level":"error","msg":"…","time":"…"}}: what containerd's shim parses. */
    JSON;

    public static Optional<LogFormat> fromName(String name) {
        return switch (name) {
            case "text" -> Optional.of(TEXT);
            case "json" -> Optional.of(JSON);
            default -> Optional.empty();
        };
    }
}
