package dev.jvisor.runsc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.oci.json.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whatever the command line, runsc answers with a status and at most one error line; it never throws. */
class MainRobustnessTest {
    private static final String[] TOKENS = {
        "state", "list", "delete", "spec", "features", "version", "help", "do", "--", "-", "--force", "-f",
        "--format", "json", "table", "--root", "--log-format", "--network", "host", "--overlay=false",
        "--strace", "--debug", "--bundle", "..", "../../etc", "\u0000", "a\nb", "\u001b[2J", "=", "--=",
        "-x", "--root=", "x".repeat(5000), "container-1", "--rootfs", "/nonexistent", "--env", "A", "-h",
        "--cwd", "rel", "syscalls", "config", "true"
    };

    @Test
    void randomCommandLinesNeverCrashAndLogAtMostOneErrorEach(@TempDir Path home, @TempDir Path root) throws Exception {
        Random random = new Random(20261129);
        Path log = home.resolve("log.json");
        Path bundle = Files.createDirectories(home.resolve("bundle"));
        RunscRunner runsc = new RunscRunner(home);
        for (int i = 0; i < 400; i++) {
            List<String> args = new ArrayList<>(List.of("--root", root.toString(), "--log", log.toString(), "--log-format", "json"));
            int n = random.nextInt(6);
            for (int k = 0; k < n; k++) args.add(TOKENS[random.nextInt(TOKENS.length)]);
            // spec writes into the working directory by default; point it at a scratch bundle.
            if (args.contains("spec")) args.addAll(args.indexOf("spec") + 1, List.of("--bundle", bundle.toString()));
            long errorsBefore = errorLines(log);
            var r = runsc.run(args.toArray(String[]::new));
            assertThat(r.status()).as(String.join(" ", args)).isBetween(0, 2);
            long added = errorLines(log) - errorsBefore;
            assertThat(added).as(String.join(" ", args)).isEqualTo(r.status() == 0 ? 0 : 1);
            Files.deleteIfExists(bundle.resolve("config.json"));
        }
        for (String line : Files.readAllLines(log)) {
            assertThat(JsonParser.parse(line)).isInstanceOf(JsonObject.class);
            assertThat(line).doesNotContain("internal error");
        }
    }

    /** Error lines only: with --debug, debug lines share the log. */
    private static long errorLines(Path log) throws Exception {
        if (!Files.exists(log)) return 0;
        return Files.readAllLines(log).stream().filter(l -> l.contains("\"level\":\"error\"")).count();
    }
}
