package dev.jvisor.sentry.platform.ptrace;

import java.util.List;

/** The application's part of the address space under the ptrace platform. */
public final class Layout {
    private Layout() {}

    /** Top of the x86-64 user address space with 4-level paging (TASK_SIZE_MAX). */
    public static final long TOP = 0x7fff_ffff_f000L;
    /** The stub's pages, which applications may never map over. */
    public static final long STUB_START = StubImage.BASE;
    /** End of the platform's range: the stub's pages, then the host vDSO ({@link HostVdso}). */
    public static final long STUB_END = StubImage.END + HostVdso.areaLength();
    /** The fd number of the memory file inside every stub. */
    public static final int MEMORY_FD = StubImage.MEMORY_FD;

    /** Where applications find the vDSO (their AT_SYSINFO_EHDR); 0 when they get none. */
    public static long vdsoAddress() {
        return HostVdso.vdsoAddress();
    }

    /** A mapping of the platform's range that /proc/PID/maps shows, as Linux shows the vDSO's. */
    public record SpecialMapping(long start, long end, String perms, String name) {}

    /** The vDSO's mappings in address order (none without a vDSO). */
    public static List<SpecialMapping> specialMappings() {
        return HostVdso.pieces().stream()
                .map(p -> new SpecialMapping(HostVdso.AREA + p.offset(), HostVdso.AREA + p.offset() + p.length(), p.perms(), p.name()))
                .toList();
    }
}
