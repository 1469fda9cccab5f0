package dev.jvisor.runsc.lifecycle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.OptionalInt;

/**
 * The container's exit status, written by the boot process just before it exits with it, so
 * that {@code runsc wait} (which is not the boot process's parent and cannot reap it) can tell.
 */
public final class ExitStatusFile {
    static final String NAME = "exit-status";

    private ExitStatusFile() {}

    /** Writes atomically: a reader sees no file or the whole number. */
    public static void write(Path stateDir, int status) throws IOException {
        Path tmp = stateDir.resolve(NAME + ".tmp");
        Files.writeString(tmp, Integer.toString(status) + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp, stateDir.resolve(NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The recorded status; empty when none was written (still running, or killed by a signal it could not catch). */
    public static OptionalInt read(Path stateDir) {
        try {
            String text = Files.readString(stateDir.resolve(NAME), StandardCharsets.US_ASCII).strip();
            int status = Integer.parseInt(text);
            return status >= 0 && status <= 255 ? OptionalInt.of(status) : OptionalInt.empty();
        } catch (IOException | NumberFormatException unreadable) {
            return OptionalInt.empty();
        }
    }
}
