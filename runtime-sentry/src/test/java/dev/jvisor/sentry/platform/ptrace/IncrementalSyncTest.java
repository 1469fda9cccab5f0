package dev.jvisor.sentry.platform.ptrace;

import dev.jvisor.sentry.mm.AddressSpace;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stub's mappings follow its address space with as few injected calls as the change needs:
 * a shrink is one munmap, a protection change one mprotect, a split at most two; and afterwards
 * the stub maps exactly what the address space holds, with its protections.
 */
class IncrementalSyncTest {
    private static final long AT = 0x5000_0000L, K = 1024;
    private static final int RW = AddressSpace.PROT_READ | AddressSpace.PROT_WRITE;

    @Test
    void aShrinkOrAProtectionChangeCostsOneCall() throws Exception {
        AddressSpace as = PtraceContext.newAddressSpace();
        as.mapAnonymous(AT, 256 * K, RW, false, true, "");
        try (PtraceContext ctx = PtraceContext.create(as)) {
            ctx.sync();
            assertThat(hostMaps(ctx)).containsExactly(range(AT, 256 * K) + " rw-s");

            long before = ctx.stub().injected();
            assertThat(as.remap(AT, 256 * K, 8 * K, true, 0, false)).isEqualTo(AT);
            ctx.sync();
            assertThat(ctx.stub().injected() - before).as("shrink").isEqualTo(1);
            assertThat(hostMaps(ctx)).containsExactly(range(AT, 8 * K) + " rw-s");

            before = ctx.stub().injected();
            as.protect(AT, 8 * K, AddressSpace.PROT_READ);
            ctx.sync();
            assertThat(ctx.stub().injected() - before).as("mprotect").isEqualTo(1);
            assertThat(hostMaps(ctx)).containsExactly(range(AT, 8 * K) + " r--s");

            // Growth moves private memory to new pages (a copy): the mapping is replaced.
            assertThat(as.remap(AT, 8 * K, 64 * K, false, 0, false)).isEqualTo(AT);
            as.protect(AT, 64 * K, RW);
            ctx.sync();
            assertThat(hostMaps(ctx)).containsExactly(range(AT, 64 * K) + " rw-s");

            // A split by mprotect: the first part keeps its mapping, the rest is protected.
            before = ctx.stub().injected();
            as.protect(AT + 32 * K, 32 * K, AddressSpace.PROT_READ);
            ctx.sync();
            assertThat(ctx.stub().injected() - before).as("split").isLessThanOrEqualTo(2);
            assertThat(hostMaps(ctx)).containsExactly(range(AT, 32 * K) + " rw-s", range(AT + 32 * K, 32 * K) + " r--s");

            as.unmap(AT, 64 * K);
            ctx.sync();
            assertThat(hostMaps(ctx)).isEmpty();
        }
    }

    private static String range(long start, long len) {
        return Long.toHexString(start) + "-" + Long.toHexString(start + len);
    }

    /**
     * The stub's mappings below the platform's range, as "start-end perms", adjacent ones with the
     * same permissions joined (the host may or may not merge them itself).
     */
    private static List<String> hostMaps(PtraceContext ctx) throws java.io.IOException {
        List<long[]> ranges = new java.util.ArrayList<>();
        List<String> perms = new java.util.ArrayList<>();
        for (String l : Files.readAllLines(Path.of("/proc/" + ctx.stub().pid() + "/maps"))) {
            int dash = l.indexOf('-'), space = l.indexOf(' ');
            long start = Long.parseUnsignedLong(l.substring(0, dash), 16), end = Long.parseUnsignedLong(l.substring(dash + 1, space), 16);
            if (Long.compareUnsigned(start, Layout.STUB_START) >= 0) continue; // the platform's range, and [vsyscall]
            String p = l.substring(space + 1, space + 5);
            int last = ranges.size() - 1;
            if (last >= 0 && ranges.get(last)[1] == start && perms.get(last).equals(p)) ranges.get(last)[1] = end;
            else {
                ranges.add(new long[] {start, end});
                perms.add(p);
            }
        }
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < ranges.size(); i++) out.add(range(ranges.get(i)[0], ranges.get(i)[1] - ranges.get(i)[0]) + " " + perms.get(i));
        return out;
    }
}
