package dev.jvisor.kind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The whole path a user takes, on a real (kind) cluster: install, node ready, namespace labelled,
 * policy applied, pod sandboxed, opt-out rejected, uninstall restores the node. The checks live in
 * kind-e2e.sh so the same run works by hand; this test runs it and fails on its exit status.
 */
class KindEndToEndTest {

    /** Cluster creation, image loads, install and uninstall take minutes; more means something hangs. */
    private static final Duration LIMIT = Duration.ofMinutes(30);

    @Test
    void helmInstallSandboxesALabelledNamespaceAndUninstallRestoresTheNode() throws Exception {
        var missing = Prerequisites.missing();
        // Surefire's console shows only a skip count; the reason goes to the build log as one line.
        missing.ifPresent(System.err::println);
        assumeTrue(missing.isEmpty(), () -> missing.orElseThrow());

        Path repo = Path.of(System.getProperty("jvisor.repo.dir", "..")).toAbsolutePath().normalize();
        Process run = new ProcessBuilder("bash", repo.resolve("kind-tests/kind-e2e.sh").toString())
                .directory(repo.toFile())
                .inheritIO()
                .start();
        boolean finished = run.waitFor(LIMIT.toMinutes(), TimeUnit.MINUTES);
        if (!finished) {
            // SIGTERM first: the script's trap deletes the cluster.
            run.destroy();
            if (!run.waitFor(2, TimeUnit.MINUTES)) {
                run.destroyForcibly().waitFor();
            }
        }

        assertThat(finished).as("kind-e2e.sh finished within %s", LIMIT).isTrue();
        assertThat(run.exitValue()).as("kind-e2e.sh exit status (1: a check failed, 2: a prerequisite is "
                + "missing, e.g. the image tars; its log above says which)").isZero();
    }

    @Test
    void scriptRefusesToStartWithoutItsToolsAndSaysWhich() throws Exception {
        // A PATH holding only what the script needs before its checks: it must stop with status 2
        // and one line naming the missing tool, before creating anything.
        Path bin = Files.createTempDirectory("kind-e2e-path-");
        try {
            for (String tool : List.of("dirname", "date")) {
                Path real = Prerequisites.onPath(tool).orElseThrow();
                Files.createSymbolicLink(bin.resolve(tool), real);
            }
            Path repo = Path.of(System.getProperty("jvisor.repo.dir", "..")).toAbsolutePath().normalize();
            Path bash = Prerequisites.onPath("bash").orElseThrow();
            ProcessBuilder builder = new ProcessBuilder(bash.toString(), repo.resolve("kind-tests/kind-e2e.sh").toString())
                    .redirectErrorStream(true);
            builder.environment().put("PATH", bin.toString());
            Process run = builder.start();
            String output = new String(run.getInputStream().readAllBytes());
            assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();

            assertThat(run.exitValue()).as(output).isEqualTo(2);
            assertThat(output.lines().toList()).singleElement().asString()
                    .endsWith("kind-e2e: cannot run: docker is not on PATH");
        } finally {
            try (var files = Files.list(bin)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(bin);
        }
    }
}
