package dev.jvisor.sentry.kernel;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-syscall profile: counts always, handler time in microseconds when timed. */
class SyscallStatsTest {

    @Test
    void timedStatsAddUpHandlerTimePerNumber() {
        SyscallStats s = new SyscallStats(true);
        for (int i = 0; i < 3; i++) {
            s.dispatched(0);
            s.served(0, 1_500_000);
        }
        s.dispatched(59);
        s.served(59, 42_000);
        s.dispatched(999); // out of range: ignored, not a crash
        s.served(-1, 5);
        assertThat(s.format().lines().skip(1)).containsExactly("0 read 3 us=4500", "59 execve 1 us=42");
    }

    @Test
    void untimedStatsKeepTheirFormat() {
        SyscallStats s = new SyscallStats(false);
        s.dispatched(39);
        s.served(39, 1_000_000);
        s.unimplemented(39);
        assertThat(s.format().lines().skip(1)).containsExactly("39 getpid 1 ENOSYS");
    }
}
