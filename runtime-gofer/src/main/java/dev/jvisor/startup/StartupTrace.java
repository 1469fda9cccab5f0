package dev.jvisor.startup;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Appends {@code <epoch-microseconds> <pid> <phase>} lines to the file named by the system
 * property {@value #PROPERTY} (or the environment variable {@value #ENVIRONMENT}). The file is opened once, on the first mark, and kept open: the
 * Gofer marks phases after it has chrooted, when the path no longer resolves. Each line is one
 * {@code write(2)} on an {@code O_APPEND} descriptor, so processes marking at once never tear
 * each other's lines. A trace that cannot be written is dropped silently: it must never change
 * what the runtime does.
 */
public final class StartupTrace {
    /** The system property naming the trace file. */
    public static final String PROPERTY = "jvisor.startup.trace";

    /** The environment variable bin/runsc turns into the property; read too, for JVMs started without the launcher. */
    public static final String ENVIRONMENT = "JVISOR_STARTUP_TRACE";

    private static final String FILE = System.getProperty(PROPERTY, System.getenv(ENVIRONMENT));
    private static final long PID = ProcessHandle.current().pid();
    private static FileOutputStream out;
    private static boolean broken;

    private StartupTrace() {}

    /** Whether marks are recorded (child processes are then given the same property). */
    public static boolean enabled() {
        return FILE != null && !FILE.isEmpty();
    }

    /** The trace file, or null when tracing is off. */
    public static String file() {
        return enabled() ? FILE : null;
    }

    /** Records that this process reached {@code phase} (a word without spaces) now. */
    public static void mark(String phase) {
        if (!enabled()) return;
        java.time.Instant now = java.time.Instant.now();
        write((now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000) + " " + PID + " " + phase + "\n");
    }

    private static synchronized void write(String line) {
        if (broken) return;
        try {
            if (out == null) out = new FileOutputStream(FILE, true);
            out.write(line.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            broken = true;
        }
    }
}
