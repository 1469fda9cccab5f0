package dev.jvisor.sentry.vfs;

import java.time.Instant;

/** Wall-clock time in nanoseconds, for timestamps. */
public final class Clock {
    private Clock() {}

    public static long realtimeNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
