package dev.jvisor.sentry.syscalls;

import java.util.List;

/** The x86-64 syscall table: number → handler, support level and note. */
public final class SyscallTable {
    private SyscallTable() {}

    /** Every row of the table, ordered by syscall number. */
    public static List<SyscallInfo> rows() {
        return List.of();
    }
}
