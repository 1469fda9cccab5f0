package dev.jvisor.kindtests.cri;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CriLogFileTest {
    @TempDir Path dir;

    private CriLogFile read(String text) throws Exception {
        return CriLogFile.read(Files.writeString(dir.resolve("0.log"), text));
    }

    @Test
    void fullAndPartialRecordsReassembleEachStream() throws Exception {
        CriLogFile log = read("""
                2026-11-29T07:15:15.123456789Z stdout P a long li
                2026-11-29T07:15:15.123456790Z stderr F oops
                2026-11-29T07:15:15.123456791Z stdout F ne
                2026-11-29T07:15:15.2Z stdout F\s
                2026-11-29T07:15:15.3Z stdout F has  two spaces
                """);
        assertThat(log.records()).hasSize(5);
        assertThat(log.output(CriLogFile.Stream.STDOUT)).isEqualTo("a long line\n\nhas  two spaces\n");
        assertThat(log.output(CriLogFile.Stream.STDERR)).isEqualTo("oops\n");
    }

    @Test
    void aRecordWithNoContentIsAnEmptyLine() throws Exception {
        assertThat(read("2026-11-29T07:15:15Z stdout F\n").output(CriLogFile.Stream.STDOUT)).isEqualTo("\n");
    }

    @Test
    void anEmptyFileHasNoOutput() throws Exception {
        assertThat(read("").records()).isEmpty();
    }

    @Test
    void malformedRecordsAreRefusedNamingTheLine() {
        assertThatThrownBy(() -> read("2026-11-29T07:15:15Z stdout F ok\nyesterday stdout F x\n"))
                .isInstanceOf(CriLogFile.MalformedLogException.class).hasMessageContaining(":2: time is not RFC 3339");
        assertThatThrownBy(() -> read("2026-11-29T07:15:15Z stdin F x\n"))
                .isInstanceOf(CriLogFile.MalformedLogException.class).hasMessageContaining("neither stdout nor stderr");
        assertThatThrownBy(() -> read("2026-11-29T07:15:15Z stdout X x\n"))
                .isInstanceOf(CriLogFile.MalformedLogException.class).hasMessageContaining("neither F nor P");
        assertThatThrownBy(() -> read("2026-11-29T07:15:15Z stdout\n"))
                .isInstanceOf(CriLogFile.MalformedLogException.class).hasMessageContaining("fewer than three fields");
        assertThatThrownBy(() -> read("2026-11-29T07:15:15Z stdout F cut"))
                .isInstanceOf(CriLogFile.MalformedLogException.class).hasMessageContaining("no newline");
    }
}
