package dev.jvisor.behaviour;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps {@code bench/syscalls} working between benchmark runs: every microbenchmark compiles
 * as {@code run.sh} compiles it, prints one {@code NAME NS_PER_OP} line for a short run, and
 * rejects a nonsensical iteration count with a message instead of running forever or not at all;
 * {@code run.sh} itself parses.
 */
class BenchProgramsTest {
    @TempDir
    Path scratch;

    private static Path benchDir() {
        return ModulePaths.moduleDir().getParent().resolve("bench/syscalls");
    }

    @TestFactory
    Stream<DynamicTest> everyBenchmarkBuildsAndReportsNanosecondsPerOperation() throws IOException {
        try (Stream<Path> files = Files.list(benchDir())) {
            List<Path> sources = files.filter(p -> p.toString().endsWith(".c")).sorted().toList();
            assertThat(sources).isNotEmpty();
            return sources.stream().map(source -> DynamicTest.dynamicTest(
                    source.getFileName().toString(), () -> checkBenchmark(source)));
        }
    }

    @TestFactory
    Stream<DynamicTest> runScriptParses() {
        return Stream.of(DynamicTest.dynamicTest("run.sh", () -> {
            Result r = run(List.of("bash", "-n", benchDir().resolve("run.sh").toString()));
            assertThat(r.status()).as("bash -n run.sh: %s", r.output()).isZero();
        }));
    }

    private void checkBenchmark(Path source) throws Exception {
        String name = source.getFileName().toString().replaceFirst("\\.c$", "");
        Path binary = scratch.resolve(name);
        Result gcc = run(List.of("gcc", "-static", "-O2", "-Wall", "-Wextra", "-Werror", "-o", binary.toString(),
                source.toString()));
        assertThat(gcc.status()).as("gcc %s: %s", name, gcc.output()).isZero();

        Result shortRun = run(List.of(binary.toString(), "50"));
        assertThat(shortRun.status()).as("%s 50: %s", name, shortRun.output()).isZero();
        assertThat(shortRun.output()).matches(name + " \\d+\\.\\d\n");

        Result nonsense = run(List.of(binary.toString(), "0"));
        assertThat(nonsense.status()).isEqualTo(2);
        assertThat(nonsense.output()).contains("iterations must be positive");
    }

    private record Result(int status, String output) {
    }

    private Result run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(scratch.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new BehaviourSetupException(command + " did not finish within 60s");
        }
        return new Result(p.exitValue(), out);
    }
}
