package dev.jvisor.sentry.mm;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.ErrnoException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Private mappings that share a file's cached pages until written: nothing a process does to its
 * mapping may reach the file's pages or another process's mapping of them.
 */
class CopyOnWriteMappingTest {
    private static final long PAGE = AddressSpace.PAGE;
    private static final int R = AddressSpace.PROT_READ, RX = R | AddressSpace.PROT_EXEC, RW = R | AddressSpace.PROT_WRITE;

    private final SharedMemory file = SharedMemory.allocate(8 * PAGE);
    private final byte[] content = new byte[(int) (8 * PAGE)];

    CopyOnWriteMappingTest() {
        for (int i = 0; i < content.length; i++) content[i] = (byte) (i * 31 + 7);
        MemorySegment.copy(content, 0, file.segment(), ValueLayout.JAVA_BYTE, 0, content.length);
    }

    @AfterEach
    void releaseFile() {
        file.release();
    }

    private static AddressSpace space() {
        return new AddressSpace(0x7fff_ffff_f000L, 0x1000_0000_0000L, 0x1000_0000_1000L);
    }

    private byte[] fileBytes() {
        return file.segment().toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void readsTheFilePagesWithoutCopyingThem() {
        AddressSpace as = space();
        long before = MemoryFile.get().allocatedBytes();
        long a = as.mapFilePrivate(0, 4 * PAGE, RX, file, 2 * PAGE, false, "/lib/x.so");
        assertThat(MemoryFile.get().allocatedBytes()).isEqualTo(before);
        assertThat(as.read(a, (int) (4 * PAGE))).isEqualTo(Arrays.copyOfRange(content, (int) (2 * PAGE), (int) (6 * PAGE)));
        Vma v = as.vmaAt(a);
        assertThat(v.shared()).isFalse();
        assertThat(v.copyOnWrite()).isTrue();
        assertThat(as.sharedOffset(a)).as("a private mapping: private futexes").isEqualTo(-1);
        as.releaseUser();
    }

    @Test
    void aWritableMappingSharesTheFileUntilAWriteFaultCopiesTheBlockAroundIt() {
        AddressSpace as = space();
        long a = as.mapFilePrivate(0, 8 * PAGE, RW, file, 0, false, "/data");
        Vma v = as.vmaAt(a);
        assertThat(v.copyOnWrite()).isTrue();
        assertThat(v.hostProt()).as("the host maps it read-only, so a write traps").isEqualTo(R);
        // The file changes: an unwritten private page shows it, as on Linux.
        file.segment().set(ValueLayout.JAVA_BYTE, 3 * PAGE, (byte) 77);
        assertThat(as.read(a + 3 * PAGE, 1)).containsExactly(77);
        assertThat(as.breakCopyOnWrite(a + 3 * PAGE + 5)).as("a write fault in a writable copy-on-write VMA").isTrue();
        Vma copied = as.vmaAt(a + 3 * PAGE);
        assertThat(copied.copyOnWrite()).isFalse();
        assertThat(copied.start()).isGreaterThanOrEqualTo(a);
        assertThat(copied.end() - copied.start()).isLessThanOrEqualTo(AddressSpace.COPY_ON_WRITE_BLOCK);
        assertThat(as.read(a + 3 * PAGE, 1)).as("the copy has the file's bytes").containsExactly(77);
        file.segment().set(ValueLayout.JAVA_BYTE, 3 * PAGE, (byte) 78);
        assertThat(as.read(a + 3 * PAGE, 1)).as("a copied page no longer follows the file").containsExactly(77);
        as.write(a + 3 * PAGE, new byte[] {1}, 0, 1);
        assertThat(file.segment().get(ValueLayout.JAVA_BYTE, 3 * PAGE)).isEqualTo((byte) 78);
        assertThat(as.breakCopyOnWrite(a + 3 * PAGE)).as("already private: the fault is the application's").isFalse();
        long ro = as.mapFilePrivate(0, PAGE, R, file, 0, false, "/data");
        assertThat(as.breakCopyOnWrite(ro)).as("a write to a read-only mapping is the application's fault").isFalse();
        Errno e = errno(() -> as.mapFilePrivate(0, 16 * PAGE, R, file, 0, false, ""));
        assertThat(e).as("past the file's pages").isEqualTo(Errno.EINVAL);
        as.releaseUser();
        content[(int) (3 * PAGE)] = 78;
        assertThat(fileBytes()).isEqualTo(content);
    }

    @Test
    void onceThreadsShareTheSpaceNoWritableMappingStaysCopyOnWrite() {
        AddressSpace as = space();
        long rw = as.mapFilePrivate(0, 2 * PAGE, RW, file, 0, false, "/data");
        long ro = as.mapFilePrivate(0, 2 * PAGE, R, file, 0, false, "/data");
        as.retainUser(false);   // vfork: the parent waits, nothing changes
        assertThat(as.vmaAt(rw).copyOnWrite()).isTrue();
        as.retainUser(true);    // a thread: each has its own stub, so copies happen now
        assertThat(as.vmaAt(rw).copyOnWrite()).isFalse();
        assertThat(as.read(rw, (int) (2 * PAGE))).isEqualTo(Arrays.copyOf(content, (int) (2 * PAGE)));
        assertThat(as.vmaAt(ro).copyOnWrite()).as("read-only: never written, stays shared").isTrue();
        long later = as.mapFilePrivate(0, PAGE, RW, file, PAGE, false, "/data");
        assertThat(as.vmaAt(later).copyOnWrite()).isFalse();
        as.protect(ro, PAGE, RW);
        assertThat(as.vmaAt(ro).copyOnWrite()).isFalse();
        assertThat(fileBytes()).isEqualTo(content);
        as.releaseUser();
        as.releaseUser();
        as.releaseUser();
    }

    @Test
    void dontNeedOfAWrittenPageReadsTheFileAgain() {
        AddressSpace as = space();
        long a = as.mapFilePrivate(0, 2 * PAGE, RW, file, 0, false, "/data");
        as.write(a + PAGE + 1, new byte[] {1, 2}, 0, 2);
        assertThat(as.read(a + PAGE + 1, 2)).containsExactly(1, 2);
        as.discard(a, 2 * PAGE);
        assertThat(as.read(a, (int) (2 * PAGE))).isEqualTo(Arrays.copyOf(content, (int) (2 * PAGE)));
        long anon = as.mapAnonymous(0, PAGE, RW, false, false, "");
        as.write(anon, new byte[] {5}, 0, 1);
        as.discard(anon, PAGE);
        assertThat(as.read(anon, 1)).as("anonymous memory reads zero").containsExactly(0);
        as.releaseUser();
        assertThat(fileBytes()).isEqualTo(content);
    }

    @Test
    void checkedWritesFaultAndForcedWritesCopyFirst() {
        AddressSpace as = space();
        long a = as.mapFilePrivate(0, 2 * PAGE, R, file, 0, false, "");
        assertThat(errno(() -> as.write(a, new byte[] {1}, 0, 1))).isEqualTo(Errno.EFAULT);
        as.writeForce(a + 10, new byte[] {9, 9, 9}, 0, 3);
        assertThat(as.read(a + 10, 3)).containsExactly(9, 9, 9);
        assertThat(fileBytes()).as("the file's pages are untouched").isEqualTo(content);
        assertThat(as.vmaAt(a).copyOnWrite()).isFalse();
        as.releaseUser();
    }

    @Test
    void mprotectToWritableCopiesOnlyTheAffectedPages() {
        AddressSpace as = space();
        long a = as.mapFilePrivate(0, 4 * PAGE, R, file, 0, false, "");
        as.protect(a + PAGE, PAGE, RW);
        byte[] junk = new byte[(int) PAGE];
        Arrays.fill(junk, (byte) 0x5a);
        as.write(a + PAGE, junk, 0, junk.length);
        assertThat(as.read(a + PAGE, (int) PAGE)).isEqualTo(junk);
        assertThat(as.read(a, (int) PAGE)).isEqualTo(Arrays.copyOfRange(content, 0, (int) PAGE));
        assertThat(as.vmaAt(a).copyOnWrite()).isTrue();
        assertThat(as.vmaAt(a + PAGE).copyOnWrite()).isFalse();
        assertThat(as.vmaAt(a + 2 * PAGE).copyOnWrite()).isTrue();
        assertThat(fileBytes()).isEqualTo(content);
        as.releaseUser();
    }

    @Test
    void forkSharesUnwrittenPagesAndWritesStayInTheirProcess() {
        AddressSpace parent = space();
        long a = parent.mapFilePrivate(0, 2 * PAGE, R, file, 0, false, "");
        AddressSpace child = parent.fork();
        assertThat(child.vmaAt(a).copyOnWrite()).isTrue();
        assertThat(child.vmaAt(a).fileOffset()).isEqualTo(parent.vmaAt(a).fileOffset());
        child.protect(a, 2 * PAGE, RW);
        child.write(a, new byte[] {1, 2, 3}, 0, 3);
        assertThat(parent.read(a, 3)).isEqualTo(Arrays.copyOf(content, 3));
        assertThat(fileBytes()).isEqualTo(content);
        child.releaseUser();
        assertThat(parent.read(a, (int) (2 * PAGE))).isEqualTo(Arrays.copyOf(content, (int) (2 * PAGE)));
        parent.releaseUser();
    }

    @Test
    void unmapDiscardAndExitLeaveTheFilePages() {
        AddressSpace as = space();
        long a = as.mapFilePrivate(0, 4 * PAGE, R, file, 0, false, "");
        as.discard(a, PAGE);
        assertThat(as.read(a, 8)).as("MADV_DONTNEED of a private file mapping: file contents again").isEqualTo(Arrays.copyOf(content, 8));
        as.unmap(a + PAGE, PAGE);
        as.releaseUser();
        assertThat(fileBytes()).isEqualTo(content);
    }

    @Test
    void remapMovesIntoPrivateMemory() {
        AddressSpace as = space();
        long a = as.mapFilePrivate(0, 2 * PAGE, R, file, 0, false, "");
        long b = as.remap(a, 2 * PAGE, 6 * PAGE, true, 0, false);
        assertThat(as.vmaAt(b).copyOnWrite()).isFalse();
        assertThat(as.read(b, (int) (2 * PAGE))).isEqualTo(Arrays.copyOf(content, (int) (2 * PAGE)));
        as.protect(b, PAGE, RW);
        as.write(b, new byte[] {4}, 0, 1);
        assertThat(fileBytes()).isEqualTo(content);
        as.releaseUser();
    }

    private static Errno errno(Runnable r) {
        try {
            r.run();
            return null;
        } catch (ErrnoException e) {
            return e.errno();
        }
    }
}
