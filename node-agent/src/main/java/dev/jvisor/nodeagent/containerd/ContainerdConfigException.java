package dev.jvisor.nodeagent.containerd;

import java.nio.file.Path;

/**
 * A containerd configuration could not be read, understood or changed safely. The {@link Reason}
 * tells callers (and operators reading the log) which of those it was without parsing a message.
 */
public final class ContainerdConfigException extends Exception {

    /** Why the configuration was refused. */
    public enum Reason {
        /** The file is not valid TOML. */
        PARSE_ERROR,
        /** The file's {@code version} (or the containerd version) is one we do not write for. */
        UNSUPPORTED_VERSION,
        /** A runtime handler with our name exists and was not written by us. */
        HANDLER_CONFLICT,
        /** Our addition would not combine with the user's file (for example an inline runtimes table). */
        CANNOT_EXTEND,
        /** A file we must own already exists and belongs to someone else. */
        FOREIGN_FILE,
        /** Reading or writing the file failed. */
        IO_ERROR
    }

    private final Reason reason;
    private final Path file;

    public ContainerdConfigException(Reason reason, Path file, String detail) {
        this(reason, file, detail, null);
    }

    public ContainerdConfigException(Reason reason, Path file, String detail, Throwable cause) {
        super(reason + " in " + file + ": " + detail, cause);
        this.reason = reason;
        this.file = file;
    }

    public Reason reason() {
        return reason;
    }

    public Path file() {
        return file;
    }
}
