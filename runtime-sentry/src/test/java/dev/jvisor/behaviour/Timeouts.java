package dev.jvisor.behaviour;

import java.time.Duration;

/** How long a case may run before it counts as hung. */
final class Timeouts {
    private Timeouts() {
    }

    /** Generous: the slowest native program takes well under a second, but CI shares 2 cores. */
    static Duration of(Mode mode) {
        return switch (mode) {
            case NATIVE -> Duration.ofSeconds(60);
            // A child JVM plus a ptrace-driven program, with every syscall a round trip: the
            // slowest case takes ~10s; a hang should cost a minute and a half, not the CI budget.
            case JVISOR, GVISOR -> Duration.ofSeconds(90);
        };
    }
}
