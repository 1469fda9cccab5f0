package dev.jvisor.runsc.cli;

import java.util.List;

/**
 * One runsc subcommand. A fresh instance serves each invocation, so a command may keep the
 * {@link Flag}s it defines in fields.
 */
public interface Subcommand {
    /** The word on the command line, e.g. {@code state}. */
    String name();

    /** One line for {@code runsc help}. */
    String summary();

    /** What follows the flags, e.g. {@code <container-id>}; empty when nothing. */
    String argsUsage();

    /** Defines this command's own flags. */
    default void defineFlags(FlagSet flags) {}

    /**
     * Runs the command.
     *
     * @param args the arguments after this command's flags
     * @return the exit status
     */
    int execute(Invocation inv, List<String> args) throws RunscException;
}
