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
            // A child JVM plus a ptrace-driven program, with every syscall a round trip.
            case JVISOR -> Duration.ofSeconds(180);
            case GVISOR -> Duration.ofSeconds(120);
        };
    }
}
