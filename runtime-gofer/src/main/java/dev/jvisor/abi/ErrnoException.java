package dev.jvisor.abi;

import java.util.Objects;

/**
 * An operation failed with a Linux errno. {@link #operation()} names what failed (a system call
 * such as {@code openat2}, or a protocol request such as {@code Twalk}) so that logs say where the
 * error came from, while callers branch on {@link #errno()} alone.
 */
public class ErrnoException extends Exception {
    private static final long serialVersionUID = 1L;

    private final Errno errno;
    private final String operation;

    /**
     * Errors such as ENOENT are a normal answer on hot paths (lookups, probes), so the exception
     * carries no stack trace: the errno and the operation say what happened. Its message is
     * built only when asked for.
     */
    public ErrnoException(Errno errno, String operation) {
        super(null, null, false, false);
        this.errno = Objects.requireNonNull(errno);
        this.operation = Objects.requireNonNull(operation);
    }

    public ErrnoException(Errno errno, String operation, Throwable cause) {
        super(null, cause, false, false);
        this.errno = Objects.requireNonNull(errno);
        this.operation = Objects.requireNonNull(operation);
    }

    @Override
    public String getMessage() {
        return operation + ": " + errno.name() + " (" + errno.description() + ")";
    }

    public Errno errno() {
        return errno;
    }

    public String operation() {
        return operation;
    }
}
