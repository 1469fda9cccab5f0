package dev.jvisor.behaviour;

/**
 * What a run of a program showed to the outside world.
 *
 * @param stdout everything written to standard output, decoded as UTF-8
 * @param stderr everything written to standard error, decoded as UTF-8
 * @param status the exit status as a shell reports it: the exit code, or 128 + the number of
 *     the signal that killed the program
 */
public record Outcome(String stdout, String stderr, int status) {
}
