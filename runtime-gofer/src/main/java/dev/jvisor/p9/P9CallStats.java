package dev.jvisor.p9;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How long a client waited for each kind of 9P request, written when {@value #PROPERTY} names a
 * file (by the Sentry when its sandbox ends): the profile that tells a slow first run's round trips from a slow server. Off (no clock
 * reads) otherwise. The first {@value #EARLY} calls of the JVM are totalled apart, as they meet a
 * server (and a client) still running interpreted code.
 */
public final class P9CallStats {
    /** System property naming the file the profile is appended to when the JVM exits. */
    public static final String PROPERTY = "jvisor.p9.stats";
    /** Calls counted as "early". */
    static final int EARLY = 200;

    static final boolean ENABLED = !System.getProperty(PROPERTY, "").isEmpty();

    private static final int TYPES = 256;
    private static final AtomicLongArray COUNT = new AtomicLongArray(TYPES);
    private static final AtomicLongArray NANOS = new AtomicLongArray(TYPES);
    private static final AtomicLongArray MAX = new AtomicLongArray(TYPES);
    private static final AtomicLong CALLS = new AtomicLong();
    private static final AtomicLong EARLY_NANOS = new AtomicLong();

    private P9CallStats() {}

    /** Records one call of message type {@code type} that waited {@code nanos} for its reply. */
    static void record(int type, long nanos) {
        int t = type & 0xff;
        COUNT.incrementAndGet(t);
        NANOS.addAndGet(t, nanos);
        MAX.accumulateAndGet(t, nanos, Math::max);
        if (CALLS.incrementAndGet() <= EARLY) EARLY_NANOS.addAndGet(nanos);
    }

    /** The profile as text: {@code TYPE NAME COUNT us=TOTAL max_us=MAX} per type, then the early/late split. */
    static String render() {
        StringBuilder out = new StringBuilder();
        long total = 0;
        for (int t = 0; t < TYPES; t++) {
            long n = COUNT.get(t);
            if (n == 0) continue;
            total += NANOS.get(t);
            MessageType mt = MessageType.ofCode(t);
            out.append(t).append(' ').append(mt == null ? "?" : mt.name()).append(' ').append(n)
                    .append(" us=").append(NANOS.get(t) / 1000).append(" max_us=").append(MAX.get(t) / 1000).append('\n');
        }
        long calls = CALLS.get();
        long early = Math.min(calls, EARLY);
        long earlyNanos = EARLY_NANOS.get();
        out.append("# calls ").append(calls).append(" us=").append(total / 1000)
                .append("; first ").append(early).append(" avg_us=").append(early == 0 ? 0 : earlyNanos / early / 1000)
                .append("; rest avg_us=").append(calls > early ? (total - earlyNanos) / (calls - early) / 1000 : 0).append('\n');
        return out.toString();
    }

    /** Appends the profile to the file {@value #PROPERTY} names, if it names one (a sandbox's end). */
    public static void writeIfRequested() {
        if (!ENABLED) return;
        Path target = Path.of(System.getProperty(PROPERTY));
        try {
            Files.writeString(target, "# pid " + ProcessHandle.current().pid() + "\n" + render(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write 9P call stats to " + target, e);
        }
    }
}
