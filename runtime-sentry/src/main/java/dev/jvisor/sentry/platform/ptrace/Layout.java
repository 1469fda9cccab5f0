package dev.jvisor.sentry.platform.ptrace;

/** The application's part of the address space under the ptrace platform. */
public final class Layout {
    private Layout() {}

    /** Top of the x86-64 user address space with 4-level paging (TASK_SIZE_MAX). */
    public static final long TOP = 0x7fff_ffff_f000L;
    /** The stub's page, which applications may never map over. */
    public static final long STUB_START = StubImage.BASE;
    public static final long STUB_END = StubImage.END;
    /** The fd number of the memory file inside every stub. */
    public static final int MEMORY_FD = StubImage.MEMORY_FD;
}
