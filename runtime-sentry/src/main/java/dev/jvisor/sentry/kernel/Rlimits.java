package dev.jvisor.sentry.kernel;

/**
 * A process's resource limits (include/uapi/asm-generic/resource.h), as unsigned 64-bit values
 * with {@link #INFINITY} (RLIM_INFINITY) for none; inherited on fork, kept across execve.
 */
public final class Rlimits {
    public static final int RLIMIT_CPU = 0, RLIMIT_FSIZE = 1, RLIMIT_DATA = 2, RLIMIT_STACK = 3, RLIMIT_CORE = 4,
            RLIMIT_RSS = 5, RLIMIT_NPROC = 6, RLIMIT_NOFILE = 7, RLIMIT_MEMLOCK = 8, RLIMIT_AS = 9,
            RLIMIT_LOCKS = 10, RLIMIT_SIGPENDING = 11, RLIMIT_MSGQUEUE = 12, RLIMIT_NICE = 13,
            RLIMIT_RTPRIO = 14, RLIMIT_RTTIME = 15, COUNT = 16;
    public static final long INFINITY = -1L;

    private final long[] soft = new long[COUNT];
    private final long[] hard = new long[COUNT];

    public static Rlimits defaults() {
        Rlimits r = new Rlimits();
        java.util.Arrays.fill(r.soft, INFINITY);
        java.util.Arrays.fill(r.hard, INFINITY);
        r.set(RLIMIT_STACK, 8L << 20, INFINITY);
        r.set(RLIMIT_CORE, 0, INFINITY);
        r.set(RLIMIT_NOFILE, 1024, 1 << 20);
        r.set(RLIMIT_NPROC, 1 << 14, 1 << 14);
        r.set(RLIMIT_MEMLOCK, 8L << 20, 8L << 20);
        r.set(RLIMIT_SIGPENDING, 1 << 14, 1 << 14);
        r.set(RLIMIT_MSGQUEUE, 819200, 819200);
        r.set(RLIMIT_NICE, 0, 0);
        r.set(RLIMIT_RTPRIO, 0, 0);
        return r;
    }

    /** The highest fd number + 1 a RLIMIT_NOFILE soft limit allows (never beyond fs.nr_open, 1 << 20). */
    public static int fdLimit(long soft) {
        return (int) (Long.compareUnsigned(soft, NR_OPEN) > 0 ? NR_OPEN : soft);
    }

    /** fs.nr_open's default: no process may have more fds than this. */
    public static final long NR_OPEN = 1 << 20;

    public synchronized long soft(int r) { return soft[r]; }
    public synchronized long hard(int r) { return hard[r]; }

    public synchronized void set(int r, long s, long h) {
        soft[r] = s;
        hard[r] = h;
    }

    public synchronized Rlimits copy() {
        Rlimits c = new Rlimits();
        System.arraycopy(soft, 0, c.soft, 0, COUNT);
        System.arraycopy(hard, 0, c.hard, 0, COUNT);
        return c;
    }
}
