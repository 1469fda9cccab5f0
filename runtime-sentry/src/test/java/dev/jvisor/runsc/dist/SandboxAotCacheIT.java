package dev.jvisor.runsc.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * lib/sandbox.aot as containers meet it: a dynamically linked program from the host root (and
 * python3, when the machine has it) links no runtime class from the jars, because the build trained
 * the cache on such programs; a corrupt or missing cache still starts a working sandbox. (A cache
 * from another JVM is never passed: DistributionIT.anotherJvmRunsWithoutTheCache. JDK 25 does
 * not check the application jars against the cache, so lib/ is only ever replaced as a whole.)
 */
class SandboxAotCacheIT {
    private static final Path DIST = Path.of(System.getProperty("jvisor.dist.dir", "target/jvisor-runtime")).toAbsolutePath();
    private static final boolean PYTHON = Files.isExecutable(Path.of("/usr/bin/python3"));

    @BeforeAll
    static void needsTheSandboxCache() {
        assumeTrue(Files.isRegularFile(DIST.resolve("lib/sandbox.aot")), "no sandbox cache (no sandbox on this machine)");
    }

    @Test
    void aDynamicallyLinkedWorkloadLoadsTheRuntimeFromTheCacheNotTheJars(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("classes.log");
        String script = "ls -l / > /dev/null && /usr/bin/env > /dev/null"
                + (PYTHON ? " && python3 -c 'import subprocess, threading; subprocess.run([\"/bin/true\"], check=True)'" : "");
        Result r = run(DIST, tmp, "-XX:AOTMode=on -Xlog:class+load=info:file=" + log, "do", "--", "/bin/sh", "-c", script);
        assertThat(r.status()).as(r.err()).isZero();

        List<String> loads = Files.readAllLines(log).stream().filter(l -> l.contains("[class,load]")).toList();
        List<String> fromCache = loads.stream().filter(l -> l.endsWith("source: shared objects file")).toList();
        List<String> runtimeFromJars = loads.stream()
                .filter(l -> l.contains(" dev.jvisor.") && l.contains("source: file:")).toList();
        // Hundreds of the Sentry's own classes (fs, mm, syscalls, the Gofer client) ran: all cached.
        assertThat(fromCache.stream().filter(l -> l.contains(" dev.jvisor.sentry."))).hasSizeGreaterThan(300);
        assertThat(runtimeFromJars).as("runtime classes the training did not reach").isEmpty();
        // What is left are classes the JVM makes at run time (lambda forms, foreign downcall stubs).
        assertThat(fromCache.size()).isGreaterThan(loads.size() * 8 / 10);
    }

    @Test
    void aCorruptCacheIsIgnoredAndTheSandboxStillRuns(@TempDir Path tmp) throws Exception {
        Path copy = copyOfTheDistribution(tmp);
        Files.write(copy.resolve("lib/sandbox.aot"), new byte[64 * 1024]);
        Result r = run(copy, tmp, "", "do", "--", "/bin/sh", "-c", "ls / > /dev/null; exit 3");
        assertThat(r.status()).as(r.err()).isEqualTo(3);
    }

    @Test
    void withoutASandboxCacheTheCliCacheServesTheSandbox(@TempDir Path tmp) throws Exception {
        Path copy = copyOfTheDistribution(tmp);
        Files.delete(copy.resolve("lib/sandbox.aot"));
        Result r = run(copy, tmp, "-XX:AOTMode=on -Xlog:aot=info:stderr", "do", "--", "/bin/sh", "-c", "ls / > /dev/null; exit 5");
        assertThat(r.status()).as(r.err()).isEqualTo(5);
        assertThat(r.err()).contains("Opened AOT cache " + copy.resolve("lib/runsc.aot"));
    }

    record Result(int status, String err) {}

    private static Result run(Path dist, Path tmp, String javaOpts, String... args) throws IOException, InterruptedException {
        List<String> command = Stream.concat(Stream.of(dist.resolve("bin/runsc").toString()), Stream.of(args)).toList();
        ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile());
        pb.environment().putAll(Map.of("JVISOR_JAVA_OPTS", javaOpts));
        Path err = Files.createTempFile(tmp, "err", ".txt");
        Process p = pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("timed out: " + command);
        }
        return new Result(p.exitValue(), Files.readString(err));
    }

    /**
     * A distribution whose lib/ and launcher can be changed: bin/ and lib/ copied (modification
     * times kept, as the cache checks them), the rest linked. The launcher resolves its own
     * symlinks to find its home, so it is a copy.
     */
    private static Path copyOfTheDistribution(Path tmp) throws IOException {
        Path copy = Files.createDirectories(tmp.resolve("dist"));
        try (Stream<Path> top = Files.list(DIST)) {
            for (Path entry : top.toList()) {
                String name = entry.getFileName().toString();
                if (name.equals("bin") || name.equals("lib")) copyTree(entry, copy.resolve(name));
                else Files.createSymbolicLink(copy.resolve(name), entry);
            }
        }
        return copy;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }
}
