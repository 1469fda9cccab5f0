package dev.jvisor.behaviour;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Exit statuses travel back unchanged: an exit code as itself, death by a signal as 128 + the
 * signal number (what a shell, and {@code runsc do}, report).
 *
 * <p>A sandboxed command is its sandbox's init (pid 1), and Linux shields a pid namespace's init
 * from signals it has no handler for unless the kernel forces them. So: a signal the command
 * sends itself is checked from a child of a shell (not init) and, separately, as init, where it
 * must be survived; a CPU fault kills even init. Natively {@code exitwith as-init} gets a pid
 * namespace of its own, so the Linux answer is measured, not assumed.
 */
class ExitStatusBehaviourTest {
    private record Ending(String name, String program, List<String> args, String stdout, String stderr, int status) {
    }

    private static Ending direct(String name, List<String> args, String stdout, String stderr, int status) {
        return new Ending(name, "/bin/exitwith", args, stdout, stderr, status);
    }

    /** exitwith run by a shell, so it is not init; the shell reports the death and passes the status on. */
    private static Ending underShell(int signal, String shellReport) {
        return new Ending("exitwith-signal-" + signal + "-under-sh", "/bin/busybox",
                List.of("sh", "-c", "exitwith signal " + signal + "; exit $?"),
                "dying by signal " + signal + "\n", shellReport + "\n", 128 + signal);
    }

    private static Ending initSurvives(int signal) {
        return direct("exitwith-as-init-signal-" + signal, List.of("as-init", "signal", Integer.toString(signal)),
                "dying by signal " + signal + "\nstill alive after signal " + signal + "\n", "", 0);
    }

    private static final List<Ending> ENDINGS = List.of(
            direct("exitwith-code-0", List.of("code", "0"), "exiting with 0\n", "", 0),
            direct("exitwith-code-1", List.of("code", "1"), "exiting with 1\n", "", 1),
            direct("exitwith-code-42", List.of("code", "42"), "exiting with 42\n", "", 42),
            direct("exitwith-code-255", List.of("code", "255"), "exiting with 255\n", "", 255),
            direct("exitwith-code-256", List.of("code", "256"), "exiting with 256\n", "", 0),
            direct("exitwith-fault", List.of("fault"), "faulting\n", "", 128 + 11),
            direct("exitwith-as-init-fault", List.of("as-init", "fault"), "faulting\n", "", 128 + 11),
            initSurvives(15),
            initSurvives(9),
            underShell(9, "Killed"),
            underShell(15, "Terminated"),
            underShell(6, "Aborted"),
            underShell(11, "Segmentation fault"),
            direct("exitwith-usage", List.of("bogus"), "", "usage: exitwith [as-init] code N | signal N | fault\n", 2));

    @TestFactory
    Stream<DynamicTest> statusesMatchLinux() {
        return Mode.selected().stream().flatMap(mode -> ENDINGS.stream().map(ending -> DynamicTest.dynamicTest(
                ending.name() + " [" + mode.label() + "]", () -> check(ending, mode))));
    }

    private static void check(Ending ending, Mode mode) throws IOException {
        // Natively "as-init" needs a pid namespace of its own, which only root may create.
        Assumptions.assumeTrue(mode != Mode.NATIVE || !ending.args().contains("as-init") || runningAsRoot(),
                "a native pid namespace needs root");
        try (CaseEnvironment env = CaseEnvironment.create()) {
            Outcome outcome = env.run(mode, Invocation.of(ending.program(), ending.args(), Timeouts.of(mode)));
            CaseCheck.verify(mode, Expectation.caseId("c", ending.name()), outcome,
                    new Expectation(ending.stdout(), ending.stderr(), ending.status()));
        }
    }

    private static boolean runningAsRoot() throws IOException {
        // /proc/self belongs to the effective uid of the process looking at it.
        return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    }
}
