package dev.jvisor.runsc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.oci.json.JsonParser;
import dev.jvisor.oci.json.JsonString;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunscLogTest {
    private static final Clock FIXED = Clock.fixed(Instant.parse("2026-11-29T04:05:06.789Z"), ZoneOffset.UTC);
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    private RunscLog log(Path file, LogFormat format, Path debugFile, boolean debug) {
        return new RunscLog(file, format, debugFile, debug, new PrintStream(stderr, true), FIXED);
    }

    @Test
    void jsonErrorLinesAreWhatTheShimParses(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("log.json");
        log(file, LogFormat.JSON, null, false).error("container \"x\" does not exist");
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).containsExactly(
                "{\"level\":\"error\",\"msg\":\"container \\\"x\\\" does not exist\",\"time\":\"2026-11-29T04:05:06Z\"}");
        assertThat(stderr.toString()).contains("container \"x\" does not exist");
    }

    @Test
    void hostileMessagesStayOneParsableLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("log.json");
        String hostile = "line1\nline2\r\"},{\"level\":\"info\u0000\u001b[2J" + "x".repeat(10_000);
        log(file, LogFormat.JSON, null, false).error(hostile);
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(1);
        JsonObject o = (JsonObject) JsonParser.parse(lines.getFirst());
        assertThat(o.members().keySet()).containsExactly("level", "msg", "time");
        assertThat(((JsonString) o.get("msg")).value()).startsWith("line1\nline2\r\"},{").hasSizeLessThan(RunscLog.MAX_MESSAGE_CHARS + 2);
    }

    @Test
    void linesAreAppendedNeverTruncated(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("log.json");
        Files.writeString(file, "{\"level\":\"info\",\"msg\":\"earlier\",\"time\":\"x\"}\n");
        log(file, LogFormat.JSON, null, false).error("one");
        log(file, LogFormat.JSON, null, false).error("two");
        assertThat(Files.readAllLines(file)).hasSize(3).last().asString().contains("\"two\"");
    }

    @Test
    void concurrentWritersNeverInterleaveWithinALine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("log.json");
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int id = t;
            threads.add(Thread.ofPlatform().start(() -> {
                RunscLog l = log(file, LogFormat.JSON, null, false);
                for (int i = 0; i < 50; i++) l.error("writer " + id + " line " + i + " " + "y".repeat(500));
            }));
        }
        for (Thread t : threads) t.join();
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(400);
        for (String line : lines) assertThat(JsonParser.parse(line)).isInstanceOf(JsonObject.class);
    }

    @Test
    void textFormatIsLogrusStyle(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("log.txt");
        log(file, LogFormat.TEXT, null, false).error("bad \"thing\"");
        assertThat(Files.readString(file)).isEqualTo("time=\"2026-11-29T04:05:06Z\" level=error msg=\"bad \\\"thing\\\"\"\n");
    }

    @Test
    void debugLinesOnlyWithDebugAndToTheDebugLog(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("log.json");
        Path debugFile = dir.resolve("debug.json");
        log(file, LogFormat.JSON, debugFile, false).debug("hidden");
        assertThat(file).doesNotExist();
        assertThat(debugFile).doesNotExist();
        log(file, LogFormat.JSON, debugFile, true).debug("shown");
        assertThat(Files.readString(debugFile)).contains("\"level\":\"debug\"").contains("shown");
        assertThat(file).doesNotExist();
        log(file, LogFormat.JSON, null, true).debug("to main log");
        assertThat(Files.readString(file)).contains("to main log");
    }

    @Test
    void anUnwritableLogIsReportedOnStderr(@TempDir Path dir) {
        log(dir.resolve("missing-dir/log.json"), LogFormat.JSON, null, false).error("boom");
        assertThat(stderr.toString()).contains("boom").contains("cannot write log");
    }
}
