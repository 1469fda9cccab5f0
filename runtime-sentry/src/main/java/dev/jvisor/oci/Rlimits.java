package dev.jvisor.oci;

import java.util.Optional;

/** Resource limits by number, from {@code <asm-generic/resource.h>} (RLIMIT_CPU = 0 … RLIMIT_RTTIME = 15). */
public final class Rlimits {
    private Rlimits() {}

    /** RLIM_INFINITY: all bits set ({@code ~0UL}). */
    public static final long RLIM_INFINITY = -1L;

    public enum Resource {
        RLIMIT_CPU(0), RLIMIT_FSIZE(1), RLIMIT_DATA(2), RLIMIT_STACK(3), RLIMIT_CORE(4), RLIMIT_RSS(5),
        RLIMIT_NPROC(6), RLIMIT_NOFILE(7), RLIMIT_MEMLOCK(8), RLIMIT_AS(9), RLIMIT_LOCKS(10),
        RLIMIT_SIGPENDING(11), RLIMIT_MSGQUEUE(12), RLIMIT_NICE(13), RLIMIT_RTPRIO(14), RLIMIT_RTTIME(15);

        private final int number;

        Resource(int number) {
            this.number = number;
        }

        public int number() {
            return number;
        }

        public static Optional<Resource> fromName(String name) {
            for (Resource r : values()) if (r.name().equals(name)) return Optional.of(r);
            return Optional.empty();
        }
    }
}
