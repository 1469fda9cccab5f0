package dev.jvisor.behaviour;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.sentry.syscalls.SyscallInfo;
import dev.jvisor.sentry.syscalls.SyscallTable;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The syscall table is honest: every syscall it lists with full or partial support is
 * dispatched by at least one behaviour program under jVisor — the programs of
 * {@link ProgramBehaviourTest}, whose transcripts must equal Linux's, and the isolation probe
 * of {@link IsolationBehaviourTest}, which asks for every host-level power the table denies. A
 * syscall no program reaches is either missing a test or should not be claimed.
 *
 * <p>Ordered after the other test classes ({@link ClassOrderer.OrderAnnotation} is the default
 * class orderer of this module) so it reuses the jVisor runs of {@link ProgramBehaviourTest};
 * a program that has not run in this JVM (the test run alone) is run here first.
 */
@Order(Integer.MAX_VALUE)
class SyscallCoverageTest {
    /** The bar: at least this many syscalls served and exercised. */
    private static final int MINIMUM_SERVED = 200;

    private static final String ISOLATION_PROBE = "isolation";

    @Test
    void everyServedSyscallIsExercisedByABehaviourProgram() throws IOException {
        Assumptions.assumeTrue(Mode.selected().contains(Mode.JVISOR),
                Mode.PROPERTY + " does not select jvisor: no coverage to measure");
        Set<Integer> dispatched = new TreeSet<>();
        for (String program : ProgramBehaviourTest.programs()) {
            if (!SyscallCoverage.recorded(program)) {
                runUnderJvisor(program);
            }
            dispatched.addAll(SyscallCoverage.of(program));
        }
        if (!SyscallCoverage.recorded(ISOLATION_PROBE)) {
            try (CaseEnvironment env = CaseEnvironment.create()) {
                IsolationBehaviourTest.runProbe(Mode.JVISOR, env);
            }
        }
        dispatched.addAll(SyscallCoverage.of(ISOLATION_PROBE));
        List<SyscallInfo> served = SyscallTable.rows().stream()
                .filter(row -> row.support() != SyscallInfo.Support.UNIMPLEMENTED)
                .toList();
        List<String> neverDispatched = served.stream()
                .filter(row -> !dispatched.contains(row.number()))
                .map(row -> row.name() + " (" + row.support().name().toLowerCase() + ")")
                .toList();
        assertThat(neverDispatched)
                .as("syscalls the table serves that no behaviour program dispatches under jVisor: "
                        + "add a case to src/test/c, or mark the entry unimplemented")
                .isEmpty();
        assertThat(served).as("syscalls at full or partial support").hasSizeGreaterThanOrEqualTo(MINIMUM_SERVED);
    }

    /** Runs a program for its syscall numbers only; its transcript is ProgramBehaviourTest's concern. */
    private static void runUnderJvisor(String program) {
        try (CaseEnvironment env = CaseEnvironment.create()) {
            env.run(Mode.JVISOR, Invocation.of("/bin/" + program, List.of(), Timeouts.of(Mode.JVISOR)));
        }
        assertThat(SyscallCoverage.recorded(program))
                .as("%s under jVisor wrote no syscall stats (did its Sentry end cleanly?)", program)
                .isTrue();
    }
}
