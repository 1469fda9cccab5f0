package dev.jvisor.runsc.cli;

/** {@code -h} or {@code --help} was given: print usage and exit 0. Not an error, so not a RunscException. */
public final class HelpRequestedException extends Exception {
    public HelpRequestedException() {
        super("help requested", null, false, false);
    }
}
