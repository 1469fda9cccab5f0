package dev.jvisor.sentry.platform.ptrace;

import dev.jvisor.sentry.host.HostAuxv;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The host kernel's vDSO, offered to applications so that reading the clock does not trap.
 *
 * <p>Every host process gets the kernel's vDSO (code: {@code [vdso]}) and the data pages it
 * reads ({@code [vvar]}, {@code [vvar_vclock]}), at a random address. A stub moves its own to one
 * fixed area right after the stub page ({@link #AREA}) with mremap(2), which the kernel supports
 * for these special mappings so that checkpoint/restore tools can move them; every stub of every
 * address space then has them at the same address, the Sentry keeps that area out of the
 * application's reach, and the loader points {@code AT_SYSINFO_EHDR} at the moved vDSO.
 * clock_gettime, gettimeofday, time and getcpu then run in the application without a syscall,
 * reading the host's clocks — the clocks the Sentry serves too (CLOCK_MONOTONIC is the host's,
 * as System.nanoTime). A clock the vDSO does not serve falls back to a real syscall instruction,
 * which traps and is emulated as always.
 *
 * <p>What the application can read there is the host's time-keeping data, which the clock
 * syscalls give it anyway. The layout (which pieces, their sizes and distances, all fixed per
 * kernel build) is read once from the Sentry's own {@code /proc/self/maps}; a kernel whose maps
 * name no {@code [vdso]}, or {@code -Djvisor.vdso=false}, leaves applications without a vDSO, as
 * before: libc then makes the syscalls.
 */
final class HostVdso {
    private HostVdso() {}

    /** System property: {@code false} gives applications no vDSO. */
    static final String PROPERTY = "jvisor.vdso";

    /** include/uapi/linux/auxvec.h: where the kernel put a process's vDSO. */
    static final long AT_SYSINFO_EHDR = 33;

    /** Where the moved pieces start in every stub: right after the stub's own pages. */
    static final long AREA = StubImage.END;

    /** One special mapping of the host vDSO, placed at {@code offset} from the start of the area. */
    record Piece(String name, long offset, long length, String perms) {}

    private static final Layout LAYOUT = probe();

    /** The pieces, in address order; empty when applications get no vDSO. */
    static List<Piece> pieces() { return LAYOUT.pieces; }

    /** Bytes the pieces span from the first one's start; 0 when there is no vDSO. */
    static long areaLength() { return LAYOUT.length; }

    /** Where the vDSO's ELF image starts in every stub; 0 when there is none. */
    static long vdsoAddress() { return LAYOUT.pieces.isEmpty() ? 0 : AREA + LAYOUT.vdsoOffset; }

    /** The vDSO's offset from the start of the area. */
    static long vdsoOffset() { return LAYOUT.vdsoOffset; }

    record Layout(List<Piece> pieces, long length, long vdsoOffset) {
        static final Layout NONE = new Layout(List.of(), 0, 0);
    }

    private static Layout probe() {
        if ("false".equals(System.getProperty(PROPERTY))) return Layout.NONE;
        try {
            return parse(Files.readAllLines(Path.of("/proc/self/maps")), HostAuxv.value(AT_SYSINFO_EHDR));
        } catch (IOException | RuntimeException e) {
            return Layout.NONE;
        }
    }

    /**
     * The layout from maps lines: the {@code [vdso]} mapping, which must start at {@code ehdr},
     * and the {@code [vvar…]} mappings next to it. Anything unexpected means no vDSO.
     */
    static Layout parse(List<String> maps, long ehdr) {
        List<long[]> ranges = new ArrayList<>();
        List<String> names = new ArrayList<>(), perms = new ArrayList<>();
        long vdsoStart = -1;
        for (String line : maps) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 6) continue;
            String name = f[5];
            if (!name.equals("[vdso]") && !name.startsWith("[vvar")) continue;
            int dash = f[0].indexOf('-');
            long start = Long.parseUnsignedLong(f[0].substring(0, dash), 16);
            long end = Long.parseUnsignedLong(f[0].substring(dash + 1), 16);
            if (name.equals("[vdso]")) vdsoStart = start;
            ranges.add(new long[] {start, end});
            names.add(name);
            perms.add(f[1]);
        }
        if (vdsoStart < 0 || vdsoStart != ehdr) return Layout.NONE;
        long first = Long.MAX_VALUE, last = 0;
        for (long[] r : ranges) {
            first = Math.min(first, r[0]);
            last = Math.max(last, r[1]);
        }
        // The vDSO finds its data at fixed distances: the pieces must sit close together.
        if (last - first > 64 * 4096) return Layout.NONE;
        List<Piece> pieces = new ArrayList<>();
        for (int i = 0; i < ranges.size(); i++) {
            long[] r = ranges.get(i);
            pieces.add(new Piece(names.get(i), r[0] - first, r[1] - r[0], perms.get(i)));
        }
        pieces.sort(java.util.Comparator.comparingLong(Piece::offset));
        return new Layout(List.copyOf(pieces), last - first, vdsoStart - first);
    }
}
