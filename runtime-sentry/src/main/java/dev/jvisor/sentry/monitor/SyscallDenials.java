package dev.jvisor.sentry.monitor;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;

/**
 * The kernel's {@link EventSink}: counts refusals per syscall number, always on (one atomic
 * increment per refused call, none for served ones). A reporter drains the counts periodically;
 * each drained number becomes one report carrying how many calls it stands for, so the reports'
 * rate is bounded by the drain, not by the program.
 */
public final class SyscallDenials implements EventSink {

    /** x86-64 numbers are below this; anything else is counted under {@link #OTHER}. */
    static final int SIZE = 512;
    /** The number reported for calls whose number is negative or beyond the table. */
    public static final int OTHER = -1;

    /** One drained count. */
    public record Count(boolean denied, int nr, long calls) {}

    // Index SIZE is the out-of-range slot.
    private final AtomicLongArray denied = new AtomicLongArray(SIZE + 1);
    private final AtomicLongArray unsupported = new AtomicLongArray(SIZE + 1);
    private int cursor;

    @Override
    public void syscallDenied(long nr) {
        denied.incrementAndGet(slot(nr));
    }

    @Override
    public void syscallUnsupported(long nr) {
        unsupported.incrementAndGet(slot(nr));
    }

    private static int slot(long nr) {
        return nr >= 0 && nr < SIZE ? (int) nr : SIZE;
    }

    /**
     * Hands at most {@code max} non-zero counts to {@code out}, each reset as it is taken (calls
     * made meanwhile land in the next drain). The scan resumes where the last one stopped, so a
     * program that keeps many numbers busy cannot starve the ones it does not.
     *
     * @return how many counts were handed out
     */
    public synchronized int drain(int max, Consumer<Count> out) {
        int given = 0;
        int slots = 2 * (SIZE + 1);
        for (int i = 0; i < slots && given < max; i++) {
            int at = (cursor + i) % slots;
            boolean isDenied = at <= SIZE;
            AtomicLongArray counts = isDenied ? denied : unsupported;
            int slot = isDenied ? at : at - SIZE - 1;
            if (counts.get(slot) == 0) continue;
            long calls = counts.getAndSet(slot, 0);
            if (calls == 0) continue;
            out.accept(new Count(isDenied, slot == SIZE ? OTHER : slot, calls));
            given++;
            if (given == max) cursor = (at + 1) % slots;
        }
        return given;
    }

    /** Whether any refusal is waiting to be drained. */
    public boolean pending() {
        for (int i = 0; i <= SIZE; i++) {
            if (denied.get(i) != 0 || unsupported.get(i) != 0) return true;
        }
        return false;
    }
}
