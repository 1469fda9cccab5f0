package dev.jvisor.behaviour;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Each busybox shell script under {@code behaviour/sh}, run as {@code /bin/busybox sh -c SCRIPT}
 * in each selected mode, must match its checked-in transcript. Natively the applets come from
 * the rootfs {@code bin} on {@code PATH} and {@code @ROOT@} in a script is the rootfs
 * directory; in the sandbox it is {@code /}.
 */
class ShellBehaviourTest {

    @TestFactory
    Stream<DynamicTest> everyScriptMatchesLinux() {
        List<Mode> modes = Mode.selected();
        return scripts().stream().flatMap(script -> modes.stream().map(mode -> DynamicTest.dynamicTest(
                script.getFileName() + " [" + mode.label() + "]", () -> check(script, mode))));
    }

    private static List<Path> scripts() {
        try (Stream<Path> files = Files.list(ModulePaths.expectations().resolve("sh"))) {
            return files.filter(p -> p.toString().endsWith(".sh")).sorted().toList();
        } catch (IOException e) {
            throw new BehaviourSetupException("cannot list the behaviour scripts", e);
        }
    }

    private static void check(Path script, Mode mode) throws IOException {
        String name = script.getFileName().toString().replaceFirst("\\.sh$", "");
        String text = Files.readString(script);
        try (CaseEnvironment env = CaseEnvironment.create()) {
            Map<String, String> variables = rootfsFacts(env.rootfs());
            Outcome outcome = env.run(mode, Invocation.of("/bin/busybox", List.of("sh", "-c", text), Timeouts.of(mode)));
            CaseCheck.verify(mode, Expectation.caseId("sh", name), outcome, variables);
        }
    }

    /** Counts a script may print about the rootfs, measured before the script runs. */
    private static Map<String, String> rootfsFacts(Path rootfs) throws IOException {
        long binFiles;
        try (Stream<Path> bin = Files.list(rootfs.resolve("bin"))) {
            binFiles = bin.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).count();
        }
        return Map.of(
                "rootfs.entries", Long.toString(BusyboxRootfs.entryCount(rootfs)),
                "rootfs.bin-files", Long.toString(binFiles));
    }
}
