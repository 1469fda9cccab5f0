package dev.jvisor.runsc.cli;

/** The command line itself is wrong: unknown command or flag, missing or extra argument. Exit status 2, as Go's flag package. */
public final class UsageException extends RunscException {
    public UsageException(String message) {
        super(message, 2, null);
    }
}
