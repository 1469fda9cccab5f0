package dev.jvisor.behaviour;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Each C behaviour program, in each selected mode, must print its checked-in transcript and
 * exit with its checked-in status ({@code behaviour/c/NAME.out}, {@code NAME.status}).
 */
class ProgramBehaviourTest {
    /** Programs with tests of their own: they take arguments or must not run natively. */
    private static final Set<String> SPECIAL = Set.of("exitwith", "isolation");

    /** The programs this test runs plainly (no arguments) in every mode. */
    static List<String> programs() {
        return StaticPrograms.names().stream().filter(name -> !SPECIAL.contains(name)).toList();
    }

    @TestFactory
    Stream<DynamicTest> everyProgramMatchesLinux() {
        List<Mode> modes = Mode.selected();
        return programs().stream()
                .flatMap(name -> modes.stream().map(mode -> DynamicTest.dynamicTest(
                        name + " [" + mode.label() + "]", () -> check(name, mode))));
    }

    static void check(String name, Mode mode) {
        try (CaseEnvironment env = CaseEnvironment.create()) {
            Outcome outcome = env.run(mode, Invocation.of("/bin/" + name, List.of(), Timeouts.of(mode)));
            CaseCheck.verify(mode, Expectation.caseId("c", name), outcome, Map.of());
        }
    }
}
