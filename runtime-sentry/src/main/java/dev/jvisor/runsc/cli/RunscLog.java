package dev.jvisor.runsc.cli;

import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.oci.json.JsonWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * The runsc log. Errors go to {@code --log} (the containerd shim reads the last line after a
 * failed call) and to stderr; debug lines go to {@code --debug-log}, or {@code --log}, only with
 * {@code --debug}. Each line is appended with one write, so concurrent runsc calls that share a
 * bundle's log.json never interleave inside a line.
 */
public final class RunscLog {
    /** Longer messages are cut so a line stays one small atomic append. */
    static final int MAX_MESSAGE_CHARS = 2048;
    /**
     * Lines are written with one write(2) of at most this many bytes: below the 8 KiB that
     * Files.write hands the kernel at once, so an O_APPEND line is never split.
     */
    static final int MAX_LINE_BYTES = 8000;
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

    private final Path logFile;
    private final LogFormat format;
    private final Path debugFile;
    private final boolean debug;
    private final PrintStream stderr;
    private final Clock clock;

    /**
     * @param logFile   {@code --log}, or null to log errors to stderr only
     * @param debugFile {@code --debug-log}, or null to use {@code logFile}
     */
    public RunscLog(Path logFile, LogFormat format, Path debugFile, boolean debug, PrintStream stderr, Clock clock) {
        this.logFile = logFile;
        this.format = format;
        this.debugFile = debugFile;
        this.debug = debug;
        this.stderr = stderr;
        this.clock = clock;
    }

    /** {@code --log}, or null; a process runsc starts (the sandbox's boot) logs to the same file. */
    public Path logFile() {
        return logFile;
    }

    public LogFormat format() {
        return format;
    }

    public void error(String message) {
        stderr.println("runsc: " + message);
        if (logFile != null) append(logFile, line("error", message));
    }

    public void warning(String message) {
        stderr.println("runsc: warning: " + message);
        if (logFile != null) append(logFile, line("warning", message));
    }

    public void debug(String message) {
        if (!debug) return;
        Path target = debugFile != null ? debugFile : logFile;
        if (target != null) append(target, line("debug", message));
    }

    /**
     * Whether debug messages are written. Callers check it before building a message: building
     * one can cost more than the command (a record's toString links a method-handle tree the
     * first time, ~0.1 s of a {@code runsc do}).
     */
    public boolean debugEnabled() {
        return debug;
    }

    String line(String level, String message) {
        String line = line(level, message, MAX_MESSAGE_CHARS);
        // Escaping can grow a message of control characters sixfold; cut such a message harder.
        return line.getBytes(StandardCharsets.UTF_8).length <= MAX_LINE_BYTES ? line : line(level, message, MAX_MESSAGE_CHARS / 8);
    }

    private String line(String level, String message, int maxChars) {
        String msg = message.length() > maxChars ? message.substring(0, maxChars) + "…" : message;
        String time = clock.instant().truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC).format(RFC3339);
        return switch (format) {
            case JSON -> JsonWriter.compact(JsonObject.builder()
                    .put("level", level).put("msg", msg).put("time", time).build()) + "\n";
            case TEXT -> "time=" + JsonWriter.quote(time) + " level=" + level + " msg=" + JsonWriter.quote(msg) + "\n";
        };
    }

    private void append(Path file, String line) {
        try {
            Files.write(file, line.getBytes(StandardCharsets.UTF_8),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            // The log is how errors reach the caller; when it cannot be written, say so where we can.
            stderr.println("runsc: cannot write log " + file + ": " + IoErrors.reason(e));
        }
    }
}
