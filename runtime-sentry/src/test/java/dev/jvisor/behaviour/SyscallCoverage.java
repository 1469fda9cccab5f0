package dev.jvisor.behaviour;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which syscall numbers the Sentry dispatched for each behaviour program, gathered across every
 * run under jVisor in this JVM. Each jVisor run asks its Sentry to write its dispatch counts
 * ({@code -Djvisor.syscall.stats=FILE}); {@link ModeRunner} reads them back into this ledger, and
 * {@link SyscallCoverageTest} checks the union against the syscall table.
 *
 * <p>Runs are keyed by program name; each program is always run the same way by the test that
 * owns it, so the union does not depend on which tests happened to run first.
 */
final class SyscallCoverage {
    /** The Sentry's system property (dev.jvisor.sentry.kernel.SyscallStats.PROPERTY). */
    static final String STATS_PROPERTY = "jvisor.syscall.stats";

    private static final Map<String, Set<Integer>> BY_PROGRAM = new HashMap<>();

    private SyscallCoverage() {
    }

    /** Adds the numbers of one run of {@code invocation}, read from the Sentry's stats file. */
    static void record(Invocation invocation, Path statsFile) {
        if (!Files.exists(statsFile)) {
            return;
        }
        Set<Integer> numbers = parse(statsFile);
        synchronized (BY_PROGRAM) {
            BY_PROGRAM.computeIfAbsent(programName(invocation), k -> new TreeSet<>()).addAll(numbers);
        }
    }

    /** Whether a run of {@code program} was recorded. */
    static boolean recorded(String program) {
        synchronized (BY_PROGRAM) {
            return BY_PROGRAM.containsKey(program);
        }
    }

    /** The numbers dispatched by runs of {@code program}; empty if it never ran. */
    static Set<Integer> of(String program) {
        synchronized (BY_PROGRAM) {
            return Set.copyOf(BY_PROGRAM.getOrDefault(program, Set.of()));
        }
    }

    /** Numbers from a stats file: {@code NR NAME COUNT [ENOSYS]} lines, {@code #} comments. */
    static Set<Integer> parse(Path statsFile) {
        Set<Integer> numbers = new TreeSet<>();
        try {
            for (String line : Files.readAllLines(statsFile)) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] fields = line.strip().split(" ");
                if (fields.length < 3) {
                    throw new BehaviourSetupException("malformed syscall stats line in " + statsFile + ": " + line);
                }
                numbers.add(Integer.parseInt(fields[0]));
            }
        } catch (IOException | NumberFormatException e) {
            throw new BehaviourSetupException("cannot read syscall stats " + statsFile, e);
        }
        return numbers;
    }

    private static String programName(Invocation invocation) {
        String p = invocation.program();
        return p.substring(p.lastIndexOf('/') + 1);
    }
}
