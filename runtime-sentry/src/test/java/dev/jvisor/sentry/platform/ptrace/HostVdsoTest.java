package dev.jvisor.sentry.platform.ptrace;

import dev.jvisor.abi.linux.ErrnoException;
import dev.jvisor.sentry.mm.AddressSpace;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The host vDSO's layout, read from maps, and its move into every stub. */
class HostVdsoTest {
    @Test
    void readsTheLayoutOfARecentKernel() {
        HostVdso.Layout l = HostVdso.parse(List.of(
                "7ffd1c4f9000-7ffd1c51a000 rw-p 00000000 00:00 0                          [stack]",
                "7feb2f20d000-7feb2f211000 r--p 00000000 00:00 0                          [vvar]",
                "7feb2f211000-7feb2f213000 r--p 00000000 00:00 0                          [vvar_vclock]",
                "7feb2f213000-7feb2f215000 r-xp 00000000 00:00 0                          [vdso]"), 0x7feb2f213000L);
        assertThat(l.length()).isEqualTo(0x8000);
        assertThat(l.vdsoOffset()).isEqualTo(0x6000);
        assertThat(l.pieces()).containsExactly(
                new HostVdso.Piece("[vvar]", 0, 0x4000, "r--p"),
                new HostVdso.Piece("[vvar_vclock]", 0x4000, 0x2000, "r--p"),
                new HostVdso.Piece("[vdso]", 0x6000, 0x2000, "r-xp"));
    }

    @Test
    void readsTheLayoutOfAnOlderKernel() {
        HostVdso.Layout l = HostVdso.parse(List.of(
                "7fff8a7f8000-7fff8a7fc000 r--p 00000000 00:00 0                          [vvar]",
                "7fff8a7fc000-7fff8a7fe000 r-xp 00000000 00:00 0                          [vdso]"), 0x7fff8a7fc000L);
        assertThat(l.length()).isEqualTo(0x6000);
        assertThat(l.vdsoOffset()).isEqualTo(0x4000);
    }

    @Test
    void noVdsoWhenMapsAndAuxvDisagreeOrNameNone() {
        List<String> maps = List.of("7fff8a7fc000-7fff8a7fe000 r-xp 00000000 00:00 0                          [vdso]");
        assertThat(HostVdso.parse(maps, 0x1000).pieces()).isEmpty();
        assertThat(HostVdso.parse(maps, 0).pieces()).isEmpty();
        assertThat(HostVdso.parse(List.of("00400000-00401000 r-xp 00000000 08:01 12 /bin/true"), 0).pieces()).isEmpty();
        // Pieces far apart cannot be one vDSO: the code finds its data at fixed distances.
        assertThat(HostVdso.parse(List.of(
                "100000000000-100000004000 r--p 00000000 00:00 0 [vvar]",
                "7fff8a7fc000-7fff8a7fe000 r-xp 00000000 00:00 0 [vdso]"), 0x7fff8a7fc000L).pieces()).isEmpty();
    }

    @Test
    void everyStubHoldsTheVdsoAtTheFixedAddressAndNothingElseOfTheHost() throws Exception {
        assertThat(Layout.vdsoAddress()).as("this host's kernel names a vDSO in /proc/self/maps").isNotZero();
        for (int i = 0; i < 2; i++) {
            try (PtraceContext ctx = PtraceContext.create(PtraceContext.newAddressSpace())) {
                List<String> maps = Files.readAllLines(Path.of("/proc/" + ctx.stub().pid() + "/maps"));
                assertThat(maps).anySatisfy(line -> assertThat(line)
                        .startsWith(Long.toHexString(Layout.vdsoAddress()) + "-").endsWith("[vdso]"));
                for (String line : maps) {
                    long start = Long.parseUnsignedLong(line.substring(0, line.indexOf('-')), 16);
                    if (line.endsWith("[vsyscall]")) continue; // in the kernel's half: no process can unmap it
                    assertThat(start).as(line).isBetween(Layout.STUB_START, Layout.STUB_END - 1);
                }
            }
        }
    }

    @Test
    void applicationsCannotMapOverTheVdso() {
        assertThat(Layout.vdsoAddress()).as("this host's kernel names a vDSO in /proc/self/maps").isNotZero();
        AddressSpace as = PtraceContext.newAddressSpace();
        assertThatThrownBy(() -> as.mapAnonymous(Layout.vdsoAddress(), 4096, AddressSpace.PROT_READ, false, true, "over"))
                .isInstanceOf(ErrnoException.class);
        long anywhere = as.mapAnonymous(0, 1 << 20, AddressSpace.PROT_READ, false, false, "anywhere");
        assertThat(anywhere + (1 << 20) <= Layout.STUB_START || anywhere >= Layout.STUB_END).isTrue();
    }
}
