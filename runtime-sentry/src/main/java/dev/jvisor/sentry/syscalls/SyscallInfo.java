package dev.jvisor.sentry.syscalls;

/**
 * One row of the syscall table as users see it ({@code runsc help syscalls}).
 *
 * @param number  x86-64 syscall number
 * @param name    the Linux name, e.g. {@code openat}
 * @param support how completely jVisor implements it
 * @param note    what is missing or different from Linux; empty when nothing
 */
public record SyscallInfo(int number, String name, Support support, String note) {

    /** How completely a syscall is implemented. */
    public enum Support {
        /** Behaves as on Linux for every argument jVisor's workloads use. */
        FULL,
        /** Implemented, with the differences the note names. */
        PARTIAL,
        /** Returns ENOSYS (counted and reported); never passed to the host. */
        UNIMPLEMENTED
    }
}
