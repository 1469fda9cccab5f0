package dev.jvisor.sentry.mm;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.ErrnoException;
import dev.jvisor.sentry.host.Host;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Private mappings of a read-only host file used where it is ({@link SharedMemory#mapHostFile}):
 * the address space reads the file's bytes without copying them into the memory file, copies
 * exactly them (and zeros past the end) when a page must become writable, faults past the end,
 * never writes the host file, and closes the descriptor with the last mapping.
 */
class HostFileMappingTest {
    private static final long PAGE = AddressSpace.PAGE;
    private static final int R = AddressSpace.PROT_READ, RX = R | AddressSpace.PROT_EXEC, RW = R | AddressSpace.PROT_WRITE;

    @TempDir
    Path dir;

    private static AddressSpace space() {
        return new AddressSpace(0x7fff_ffff_f000L, 0x1000_0000_0000L, 0x1000_0000_2000L);
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A host descriptor of {@code p} opened read-only, owned by the caller (as the Gofer lends one). */
    private static int openRead(Path p) throws IOException {
        String target = p.toRealPath().toString();
        try (java.io.FileInputStream in = new java.io.FileInputStream(p.toFile());
             Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            int fd = fds.filter(l -> {
                try {
                    return Files.readSymbolicLink(l).toString().equals(target);
                } catch (IOException gone) {
                    return false;
                }
            }).mapToInt(l -> Integer.parseInt(l.getFileName().toString())).findFirst().orElseThrow();
            return Host.fcntl(fd, 1030 /* F_DUPFD_CLOEXEC */, 0);
        }
    }

    private static boolean descriptorOpenOn(Path p) throws IOException {
        String target = p.toRealPath().toString();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.anyMatch(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().equals(target);
                } catch (IOException gone) {
                    return false;
                }
            });
        }
    }

    @Test
    void mapsTheHostFileWithoutCopyingAndCopiesOnlyToWrite() throws Exception {
        byte[] content = random((int) (3 * PAGE) + 100, 1);   // the last page part file, part zero
        Path f = Files.write(dir.resolve("lib.so"), content);
        SharedMemory pages = SharedMemory.mapHostFile(openRead(f), content.length);
        assertThat(pages).as("a host file on a normal mount maps").isNotNull();
        assertThat(pages.hostFile()).isNotNull();
        assertThat(pages.length()).isEqualTo(content.length);

        AddressSpace as = space();
        long before = MemoryFile.get().allocatedBytes();
        long a = as.mapFilePrivate(0, 6 * PAGE, RX, pages, 0, false, "/lib.so");
        as.markBeyondEof(a + 4 * PAGE, 2 * PAGE);
        pages.release();   // the mapping holds its own reference
        assertThat(MemoryFile.get().allocatedBytes()).as("nothing copied into the memory file").isEqualTo(before);
        assertThat(as.vmaAt(a).hostFile()).isNotNull();
        assertThat(as.read(a, content.length)).isEqualTo(content);
        assertThat(as.read(a + content.length, (int) (4 * PAGE) - content.length))
                .as("the rest of the last page reads zero").containsOnly(0);
        assertThatThrownBy(() -> as.read(a + 4 * PAGE, 1)).as("past the file's last page")
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EFAULT));

        AddressSpace child = as.fork();
        assertThat(child.vmaAt(a).hostFile()).as("a child maps the same file").isSameAs(as.vmaAt(a).hostFile());

        as.protect(a, 4 * PAGE, RW);
        assertThat(as.vmaAt(a).hostFile()).as("writable, not yet written: still the file").isNotNull();
        as.write(a + 5, new byte[] {1, 2, 3}, 0, 3);
        assertThat(as.vmaAt(a).hostFile()).as("written: a private copy").isNull();
        assertThat(as.vmaAt(a + PAGE).hostFile()).as("the pages the write did not reach").isNotNull();
        byte[] expected = Arrays.copyOf(content, (int) (4 * PAGE));
        expected[5] = 1;
        expected[6] = 2;
        expected[7] = 3;
        assertThat(as.read(a, (int) (4 * PAGE))).isEqualTo(expected);
        assertThat(child.read(a, content.length)).as("the child still reads the file").isEqualTo(content);
        assertThat(Files.readAllBytes(f)).as("the host file").isEqualTo(content);

        assertThat(descriptorOpenOn(f)).as("the child's mapping keeps the file open").isTrue();
        as.releaseUser();
        child.releaseUser();
        assertThat(descriptorOpenOn(f)).as("closed with the last mapping").isFalse();
    }

    @Test
    void mremapOfAMappedFileCopiesWhatItHolds() throws Exception {
        byte[] content = random((int) (2 * PAGE) + 7, 2);
        Path f = Files.write(dir.resolve("data"), content);
        SharedMemory pages = SharedMemory.mapHostFile(openRead(f), content.length);
        AddressSpace as = space();
        long a = as.mapFilePrivate(0, 3 * PAGE, R, pages, 0, false, "/data");
        pages.release();
        long b = as.remap(a, 3 * PAGE, 5 * PAGE, true, 0, false);
        byte[] got = as.read(b, (int) (5 * PAGE));
        assertThat(Arrays.copyOf(got, content.length)).isEqualTo(content);
        assertThat(Arrays.copyOfRange(got, content.length, got.length)).containsOnly(0);
        as.releaseUser();
        assertThat(descriptorOpenOn(f)).isFalse();
    }

    @Test
    void refusesSharedMappingsAndSizesItCannotMap() throws Exception {
        Path f = Files.write(dir.resolve("x"), random(5000, 3));
        SharedMemory pages = SharedMemory.mapHostFile(openRead(f), 5000);
        AddressSpace as = space();
        assertThatThrownBy(() -> as.mapShared(0, PAGE, R, pages, 0, false, "/x")).isInstanceOf(IllegalArgumentException.class);
        pages.release();
        assertThat(descriptorOpenOn(f)).isFalse();

        Path empty = Files.write(dir.resolve("empty"), new byte[0]);
        assertThat(SharedMemory.mapHostFile(openRead(empty), 0)).as("nothing to map").isNull();
        assertThat(descriptorOpenOn(empty)).as("the descriptor is closed on refusal").isFalse();
        as.releaseUser();
    }
}
