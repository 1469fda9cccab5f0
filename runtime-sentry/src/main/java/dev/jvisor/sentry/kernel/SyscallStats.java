package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.linux.Sysno;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How often each syscall number was dispatched in one sandbox, and how often an unimplemented
 * one was asked for. Counting is one array increment per syscall, so it is always on; the
 * counts are written out only when {@value #PROPERTY} names a file. Test suites use that file
 * to prove that every syscall the table claims to serve is exercised by some program.
 */
public final class SyscallStats {
    /** System property naming the file the counts are written to when the sandbox ends. */
    public static final String PROPERTY = "jvisor.syscall.stats";

    private static final int SIZE = 512;
    /**
     * Whether handlers are timed too: only when the counts are written, as two clock reads per
     * syscall are measurable on the fastest calls.
     */
    public static final boolean TIMED = !System.getProperty(PROPERTY, "").isEmpty();

    private final AtomicLongArray dispatched = new AtomicLongArray(SIZE);
    private final AtomicLongArray unimplemented = new AtomicLongArray(SIZE);
    private final AtomicLongArray nanos = new AtomicLongArray(SIZE);
    private final boolean timed;

    /** Counts, timed when {@link #TIMED}. */
    public SyscallStats() {
        this(TIMED);
    }

    SyscallStats(boolean timed) {
        this.timed = timed;
    }

    /** Counts one dispatch of {@code nr}, served or not. */
    public void dispatched(long nr) {
        if (nr >= 0 && nr < SIZE) dispatched.incrementAndGet((int) nr);
    }

    /** Adds the time the Sentry spent serving one call of {@code nr} (handler only, not the trap). */
    public void served(long nr, long elapsedNanos) {
        if (nr >= 0 && nr < SIZE) nanos.addAndGet((int) nr, elapsedNanos);
    }

    /** Counts a call to a number without a handler (it answered ENOSYS). */
    public void unimplemented(long nr) {
        if (nr >= 0 && nr < SIZE) unimplemented.incrementAndGet((int) nr);
    }

    /** Dispatch counts by syscall number, only numbers called at least once. */
    public Map<Integer, Long> dispatchedCounts() {
        return nonZero(dispatched);
    }

    /** ENOSYS counts by syscall number, only numbers called at least once. */
    public Map<Integer, Long> unimplementedCounts() {
        return nonZero(unimplemented);
    }

    /**
     * The counts as text, one {@code NR NAME COUNT} line per dispatched number, with
     * {@code ENOSYS} appended on numbers that have no handler, and {@code us=MICROS}, the time
     * spent in the handler in all, when timed.
     */
    public String format() {
        StringBuilder sb = new StringBuilder("# syscall dispatch counts of one sandbox: NR NAME COUNT [ENOSYS] [us=MICROS]\n");
        for (int nr = 0; nr < SIZE; nr++) {
            long n = dispatched.get(nr);
            if (n == 0) continue;
            sb.append(nr).append(' ').append(Sysno.name(nr)).append(' ').append(n);
            if (unimplemented.get(nr) > 0) sb.append(" ENOSYS");
            if (timed) sb.append(" us=").append(nanos.get(nr) / 1000);
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Writes {@link #format()} to the file the system property names, if it names one. */
    void writeIfRequested() {
        String file = System.getProperty(PROPERTY, "");
        if (file.isEmpty()) return;
        Path target = Path.of(file);
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        try {
            Files.writeString(partial, format(), StandardCharsets.UTF_8);
            // Renamed into place whole, so a reader never sees half a file.
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write syscall counts to " + target, e);
        }
    }

    private static Map<Integer, Long> nonZero(AtomicLongArray counts) {
        Map<Integer, Long> m = new TreeMap<>();
        for (int i = 0; i < SIZE; i++) if (counts.get(i) > 0) m.put(i, counts.get(i));
        return m;
    }
}
