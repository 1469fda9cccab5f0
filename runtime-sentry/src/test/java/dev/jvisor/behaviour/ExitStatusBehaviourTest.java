package dev.jvisor.behaviour;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Exit statuses travel back unchanged: an exit code as itself, death by a signal as 128 + the
 * signal number (what a shell, and {@code runsc do}, report), for terminating and core-dumping
 * signals alike; a usage error of the program is its own status with its own stderr.
 */
class ExitStatusBehaviourTest {
    private record Ending(List<String> args, String stdout, String stderr, int status) {
        String name() {
            return "exitwith-" + String.join("-", args);
        }
    }

    private static final List<Ending> ENDINGS = List.of(
            new Ending(List.of("code", "0"), "exiting with 0\n", "", 0),
            new Ending(List.of("code", "1"), "exiting with 1\n", "", 1),
            new Ending(List.of("code", "42"), "exiting with 42\n", "", 42),
            new Ending(List.of("code", "255"), "exiting with 255\n", "", 255),
            new Ending(List.of("code", "256"), "exiting with 256\n", "", 0),
            new Ending(List.of("signal", "9"), "dying by signal 9\n", "", 128 + 9),
            new Ending(List.of("signal", "15"), "dying by signal 15\n", "", 128 + 15),
            new Ending(List.of("signal", "6"), "dying by signal 6\n", "", 128 + 6),
            new Ending(List.of("signal", "11"), "dying by signal 11\n", "", 128 + 11),
            new Ending(List.of("signal", "28"), "dying by signal 28\n", "", 0),
            new Ending(List.of("bogus"), "", "usage: exitwith code N | exitwith signal N\n", 2));

    @TestFactory
    Stream<DynamicTest> statusesMatchLinux() {
        return Mode.selected().stream().flatMap(mode -> ENDINGS.stream().map(ending -> DynamicTest.dynamicTest(
                ending.name() + " [" + mode.label() + "]", () -> check(ending, mode))));
    }

    private static void check(Ending ending, Mode mode) {
        try (CaseEnvironment env = CaseEnvironment.create()) {
            Outcome outcome = env.run(mode, Invocation.of("/bin/exitwith", ending.args(), Timeouts.of(mode)));
            CaseCheck.verify(mode, Expectation.caseId("c", ending.name()), outcome,
                    new Expectation(ending.stdout(), ending.stderr(), ending.status()));
        }
    }
}
