package dev.jvisor.sentry.mm;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.ErrnoException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Address spaces: mapping, protection, copying, fork isolation, and the memory file's allocator. */
class AddressSpaceTest {
    private static final int RW = AddressSpace.PROT_READ | AddressSpace.PROT_WRITE;

    private static AddressSpace space() {
        return new AddressSpace(0x7fff_ffff_f000L, 0x1000_0000_0000L, 0x1000_0000_1000L);
    }

    private static Errno errnoOf(Runnable r) {
        try {
            r.run();
            return null;
        } catch (ErrnoException e) {
            return e.errno();
        }
    }

    @Test
    void memoryFileNeverHandsOutOverlappingRanges() {
        MemoryFile mf = MemoryFile.get();
        Random rnd = new Random(42);
        List<long[]> live = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            if (!live.isEmpty() && rnd.nextInt(3) == 0) {
                long[] r = live.remove(rnd.nextInt(live.size()));
                mf.free(r[0], r[1]);
            } else {
                long len = (1 + rnd.nextInt(16)) * MemoryFile.PAGE;
                long off = mf.allocate(len);
                for (long[] r : live) {
                    assertThat(off + len <= r[0] || off >= r[0] + r[1])
                            .as("allocation 0x%x+%d overlaps live 0x%x+%d", off, len, r[0], r[1]).isTrue();
                }
                live.add(new long[] {off, len});
            }
        }
        for (long[] r : live) mf.free(r[0], r[1]);
    }

    @Test
    void freshMemoryReadsZeroEvenAfterReuse() {
        AddressSpace as = space();
        long a = as.mapAnonymous(0, 64 * 1024, RW, false, false, "");
        byte[] junk = new byte[64 * 1024];
        java.util.Arrays.fill(junk, (byte) 0x5a);
        as.write(a, junk, 0, junk.length);
        as.unmap(a, 64 * 1024);
        long b = as.mapAnonymous(0, 64 * 1024, RW, false, false, "");
        assertThat(as.read(b, 64 * 1024)).containsOnly(0);
        as.clear();
    }

    @Test
    void protectionIsCheckedOnCopies() {
        AddressSpace as = space();
        long a = as.mapAnonymous(0, 3 * 4096, RW, false, false, "");
        as.protect(a + 4096, 4096, AddressSpace.PROT_READ);
        as.writeLong(a, 1);
        assertThat(errnoOf(() -> as.writeLong(a + 4096, 1))).isEqualTo(Errno.EFAULT);
        assertThat(as.readLong(a + 4096)).isZero();
        as.protect(a + 4096, 4096, AddressSpace.PROT_NONE);
        assertThat(errnoOf(() -> as.readLong(a + 4096))).isEqualTo(Errno.EFAULT);
        assertThat(as.vmas()).hasSize(3);
        assertThat(errnoOf(() -> as.readLong(0x1000))).isEqualTo(Errno.EFAULT);
        // A copy that crosses into an unmapped page fails as a whole.
        as.unmap(a + 2 * 4096, 4096);
        assertThat(errnoOf(() -> as.write(a + 4096 - 4, new byte[8], 0, 8))).isEqualTo(Errno.EFAULT);
        as.clear();
    }

    @Test
    void forkCopiesPrivateAndSharesSharedMemory() {
        AddressSpace parent = space();
        long priv = parent.mapAnonymous(0, 8192, RW, false, false, "");
        long shared = parent.mapAnonymous(0, 4096, RW, true, false, "");
        parent.writeLong(priv + 4096, 7);
        parent.writeLong(shared, 9);
        AddressSpace child = parent.fork();
        child.writeLong(priv + 4096, 8);
        child.writeLong(shared, 10);
        assertThat(parent.readLong(priv + 4096)).isEqualTo(7);
        assertThat(child.readLong(priv + 4096)).isEqualTo(8);
        assertThat(parent.readLong(shared)).isEqualTo(10);
        child.clear();
        assertThat(parent.readLong(shared)).isEqualTo(10);
        parent.clear();
    }

    @Test
    void remapGrowsInPlaceOrMovesAndKeepsData() {
        AddressSpace as = space();
        long a = as.mapAnonymous(0, 4096, RW, false, false, "");
        as.writeLong(a + 8, 0x1234);
        long grown = as.remap(a, 4096, 3 * 4096, true, 0, false);
        assertThat(as.readLong(grown + 8)).isEqualTo(0x1234);
        as.mapAnonymous(grown + 3 * 4096, 4096, RW, false, true, ""); // block growth in place
        long moved = as.remap(grown, 3 * 4096, 8 * 4096, true, 0, false);
        assertThat(moved).isNotEqualTo(grown);
        assertThat(as.readLong(moved + 8)).isEqualTo(0x1234);
        assertThat(as.isMapped(grown, 3 * 4096)).isFalse();
        as.mapAnonymous(moved + 8 * 4096, 4096, RW, false, true, "");
        assertThat(errnoOf(() -> as.remap(moved, 8 * 4096, 9 * 4096, false, 0, false))).isEqualTo(Errno.ENOMEM);
        as.clear();
    }

    @Test
    void hostileArgumentsFailCleanly() {
        AddressSpace as = space();
        assertThat(errnoOf(() -> as.mapAnonymous(0x1000_0000_0000L, 4096, RW, false, true, ""))).isEqualTo(Errno.ENOMEM);
        assertThat(errnoOf(() -> as.mapAnonymous(0x1001, 4096, RW, false, true, ""))).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(() -> as.mapAnonymous(0, -1, RW, false, false, ""))).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(() -> as.unmap(0x123, 4096))).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(() -> as.protect(0x10000, 4096, RW))).isEqualTo(Errno.ENOMEM);
        assertThat(errnoOf(() -> as.readString(0, 10))).isEqualTo(Errno.EFAULT);
        long a = as.mapAnonymous(0, 4096, RW, false, false, "");
        byte[] noNul = new byte[4096];
        java.util.Arrays.fill(noNul, (byte) 'x');
        as.write(a, noNul, 0, noNul.length);
        assertThat(errnoOf(() -> as.readString(a, 100))).isEqualTo(Errno.ENAMETOOLONG);
        assertThat(errnoOf(() -> as.readString(a, 10_000))).isEqualTo(Errno.EFAULT);
        as.clear();
    }

    @Test
    void brkGrowsAndShrinks() {
        AddressSpace as = space();
        as.initBrk(0x600123);
        assertThat(as.brk(0)).isEqualTo(0x600123);
        assertThat(as.brk(0x640000)).isEqualTo(0x640000);
        as.writeLong(0x63fff0, 5);
        assertThat(as.brk(0x601000)).isEqualTo(0x601000);
        assertThat(errnoOf(() -> as.readLong(0x63fff0))).isEqualTo(Errno.EFAULT);
        assertThat(as.brk(0x100)).isEqualTo(0x601000); // below the start: unchanged
        Set<Long> starts = new HashSet<>();
        for (Vma v : as.vmas()) assertThat(starts.add(v.start())).isTrue();
        as.clear();
    }

    @Test
    void memoryAThreadUnmapsIsFreedOnceNoRunningStubCanStillMapIt() {
        AddressSpace as = space();
        as.retainUser(true); // a second thread shares the space
        Object thread1 = new Object(), thread2 = new Object();
        long a = as.mapAnonymous(0, 1 << 20, RW, false, false, "");
        as.write(a, new byte[] {1}, 0, 1);
        long gen = as.generation();
        assertThat(as.enter(thread1, gen)).isTrue(); // thread 1 runs with the mapping

        long before = MemoryFile.get().allocatedBytes();
        as.unmap(a, 1 << 20); // thread 2 unmaps it while thread 1 still runs
        assertThat(as.buriedChunks()).as("kept while thread 1 may still map it").isEqualTo(1);
        assertThat(as.enter(thread2, gen)).as("a stub with stale mappings must sync first").isFalse();

        as.leave(thread1); // thread 1 traps: it will sync before it runs again
        assertThat(as.buriedChunks()).isZero();
        assertThat(MemoryFile.get().allocatedBytes()).isEqualTo(before - (1 << 20));
        assertThat(as.enter(thread1, gen)).isFalse();
        assertThat(as.enter(thread1, as.generation())).isTrue();
        as.leave(thread1);
        as.releaseUser();
        as.releaseUser();
    }

    @Test
    void memoryUnmappedWhileNoOtherStubRunsIsFreedAtOnce() {
        AddressSpace as = space();
        as.retainUser(true);
        Object thread1 = new Object();
        assertThat(as.enter(thread1, as.generation())).isTrue();
        as.leave(thread1); // stopped in the Sentry, e.g. blocked in a syscall
        long a = as.mapAnonymous(0, 64 * 1024, RW, false, false, "");
        as.unmap(a, 64 * 1024);
        assertThat(as.buriedChunks()).isZero();
        as.forget(thread1);
        as.releaseUser();
        as.releaseUser();
    }

    @Test
    void lockedRangesCountOnceAndGoWithTheirMappings() {
        AddressSpace as = space();
        long P = AddressSpace.PAGE;
        long a = as.mapAnonymous(0, 8 * P, AddressSpace.PROT_READ | AddressSpace.PROT_WRITE, false, false, "");
        as.lock(a, a + 2 * P, 4 * P);
        as.lock(a + P, a + 3 * P, 4 * P);   // overlaps: only one new page counts
        assertThat(as.lockedBytes()).isEqualTo(3 * P);
        assertThatThrownBy(() -> as.lock(a + 4 * P, a + 6 * P, 4 * P)).as("past the limit")
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOMEM));
        assertThat(as.lockedBytes()).as("a refused lock locks nothing").isEqualTo(3 * P);
        as.unlock(a + P, a + 2 * P);        // splits the range
        assertThat(as.lockedBytes()).isEqualTo(2 * P);
        as.unmap(a, P);
        assertThat(as.lockedBytes()).as("unmapping unlocks").isEqualTo(P);
        as.lockAll(-1L);
        assertThat(as.lockedBytes()).isEqualTo(7 * P);
        as.unlockAll();
        assertThat(as.lockedBytes()).isZero();
        long[] used = as.usage(0, 0);
        assertThat(used).containsExactly(7 * P, 7 * P);
        assertThat(as.usage(a + P, a + 3 * P)).as("a MAP_FIXED target does not count").containsExactly(5 * P, 5 * P);
        as.releaseUser();
    }
}
