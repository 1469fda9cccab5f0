package dev.jvisor.sentry.syscalls;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The absolute path execve records for a program given relative to the working directory. */
class ExecPathTest {
    @Test
    void runsOfDotSegmentsBecomeOneSlashAndNothingElseChanges() {
        assertThat(SysProcess.withoutDotSegments("/w/./hello")).isEqualTo("/w/hello");
        assertThat(SysProcess.withoutDotSegments("/w/././././x/./y")).isEqualTo("/w/x/y");
        assertThat(SysProcess.withoutDotSegments("/a/../b/.hidden/..x/x./z")).isEqualTo("/a/../b/.hidden/..x/x./z");
        assertThat(SysProcess.withoutDotSegments("/./")).isEqualTo("/");
        assertThat(SysProcess.withoutDotSegments("/")).isEqualTo("/");
    }
}
