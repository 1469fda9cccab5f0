package dev.jvisor.sentry.fs.overlay;

import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.gofer.GoferFileServer;
import dev.jvisor.gofer.MountPoint;
import dev.jvisor.p9.FdTransport;
import dev.jvisor.p9.P9Client;
import dev.jvisor.p9.P9Server;
import dev.jvisor.p9.Transport;
import dev.jvisor.sentry.fs.gofer.GoferDir;
import dev.jvisor.sentry.fs.gofer.GoferFile;
import dev.jvisor.sentry.fs.gofer.GoferFs;
import dev.jvisor.sentry.fs.gofer.GoferProcess;
import dev.jvisor.sentry.fs.gofer.LentFile;
import dev.jvisor.sentry.fs.tmpfs.RegularInode;
import dev.jvisor.sentry.vfs.FileSystem;
import dev.jvisor.sentry.vfs.OpenFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Copy-up through a descriptor the Gofer lends (Tdonatefd + pread into sandbox memory) against
 * a real Gofer process: the copy is the host file byte for byte (large files cached for reading
 * stay the lent host file until something needs them in sandbox memory, small ones and copies
 * for writing go into heap blocks), the Sentry keeps no host descriptor once the content is in
 * memory, and a Gofer connection that cannot lend falls back to Tread with the same result.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LentCopyUpTest {
    @TempDir
    Path dir;

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static OverlayFile overlayOf(GoferDir lowerRoot, String name) {
        return overlayOf(lowerRoot, name, true);
    }

    /** {@code inPlace}: a sandbox's first root, which may keep large files as host files. */
    private static OverlayFile overlayOf(GoferDir lowerRoot, String name, boolean inPlace) {
        FileSystem fs = new FileSystem("overlay", RootFilesystem.OVERLAYFS_MAGIC, false);
        return new OverlayFile(fs, (GoferFile) lowerRoot.lookup(name),
                new PageCacheBudget(PageCacheBudget.DEFAULT_BYTES, PageCacheBudget.DEFAULT_FILE_BYTES, inPlace));
    }

    /** The whole content of an inode, read through an open file as the sandbox would. */
    private static byte[] readAll(OverlayFile f, int size) {
        OpenFile open = f.open(null, "/f", FileMode.O_RDONLY);
        try {
            byte[] got = new byte[size + 100];
            int n = 0;
            while (true) {
                int r = open.pread(null, got, n, got.length - n, n);
                if (r <= 0) break;
                n += r;
            }
            return java.util.Arrays.copyOf(got, n);
        } finally {
            open.release();
        }
    }

    @Test
    void aLentDescriptorReadsTheHostFileExactly() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        byte[] big = random((5 << 20) + 4097, 1);   // multi-MiB, odd size
        Files.write(root.resolve("big"), big);
        try (GoferProcess g = GoferProcess.start(root, true)) {
            GoferDir top = GoferFs.mount(g.client(), "/", GoferFs.CacheMode.EXCLUSIVE, true);
            dev.jvisor.sentry.mm.MemoryFile.get();   // process-wide, made once: not a descriptor this test may leave
            long before = openDescriptors();
            List<String> targetsBefore = descriptorTargets();
            try (LentFile lent = ((GoferFile) top.lookup("big")).lend(); Arena arena = Arena.ofConfined()) {
                assertThat(lent).as("the Gofer lends a descriptor").isNotNull();
                assertThat(lent.size()).isEqualTo(big.length);
                MemorySegment all = arena.allocate(big.length + 10);
                assertThat(lent.read(all, 0)).isEqualTo(big.length);
                assertThat(all.asSlice(0, big.length).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(big);
                MemorySegment tail = arena.allocate(10);
                assertThat(lent.read(tail, big.length - 3)).isEqualTo(3);
            }
            List<String> added = new ArrayList<>(descriptorTargets());
            added.removeAll(targetsBefore);
            assertThat(openDescriptors()).as("the lent descriptor is closed; new: %s", added).isEqualTo(before);
        }
    }

    @Test
    void copyUpsTakeTheHostFilesWholeAndKeepNoDescriptor() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        byte[] big = random((3 << 20) + 12345, 2);   // shared memory: at least DIRECT_COPY_BYTES
        byte[] small = random(70_001, 3);            // heap blocks, more than one
        byte[] writable = random((2 << 20) + 1, 4);  // copied up for writing: heap blocks
        Files.write(root.resolve("big"), big);
        Files.write(root.resolve("small"), small);
        Files.write(root.resolve("writable"), writable);
        Files.write(root.resolve("empty"), new byte[0]);
        for (int i = 0; i < 20; i++) {
            Files.write(root.resolve("many" + i), random(1000 + i, 10 + i));
        }
        try (GoferProcess g = GoferProcess.start(root, true)) {
            GoferDir top = GoferFs.mount(g.client(), "/", GoferFs.CacheMode.EXCLUSIVE, true);
            dev.jvisor.sentry.mm.MemoryFile.get();   // the memory file's own descriptor, in the baseline
            dev.jvisor.sentry.mm.MemoryFile.get();   // process-wide, made once: not a descriptor this test may leave
            long before = openDescriptors();
            List<String> targetsBefore = descriptorTargets();

            OverlayFile bigFile = overlayOf(top, "big");
            assertThat(readAll(bigFile, big.length)).isEqualTo(big);
            RegularInode bigCopy = bigFile.cachedContent();
            assertThat(bigCopy).as("cached on open").isNotNull();
            assertThat(bigCopy.data().pagesToMap(big.length).hostFile()).as("large: the lent host file, mapped where it is").isNotNull();
            // Something that needs the pages in sandbox memory (a shared mapping, a write) moves them there.
            MemorySegment pages = bigCopy.data().sharedMemory(big.length).segment();
            assertThat(bigCopy.data().pagesToMap(big.length).hostFile()).isNull();
            assertThat(pages.asSlice(0, big.length).toArray(ValueLayout.JAVA_BYTE)).as("in sandbox memory").isEqualTo(big);
            // A container that joins a pod keeps no host file: its rootfs is unmounted when it leaves.
            OverlayFile joined = overlayOf(top, "big", false);
            assertThat(readAll(joined, big.length)).isEqualTo(big);
            assertThat(joined.cachedContent().data().pagesToMap(big.length).hostFile()).as("copied, not kept").isNull();

            OverlayFile smallFile = overlayOf(top, "small");
            assertThat(readAll(smallFile, small.length)).isEqualTo(small);
            assertThat(smallFile.cachedContent().size()).isEqualTo(small.length);

            OverlayFile w = overlayOf(top, "writable");
            OpenFile rw = w.open(null, "/writable", FileMode.O_RDWR);
            try {
                rw.pwrite(null, new byte[] {1, 2, 3}, 0, 3, 10);
            } finally {
                rw.release();
            }
            byte[] expected = writable.clone();
            expected[10] = 1;
            expected[11] = 2;
            expected[12] = 3;
            assertThat(readAll(w, writable.length)).isEqualTo(expected);
            assertThat(Files.readAllBytes(root.resolve("writable"))).as("the host file").isEqualTo(writable);

            assertThat(readAll(overlayOf(top, "empty"), 0)).isEmpty();
            for (int i = 0; i < 20; i++) {
                assertThat(readAll(overlayOf(top, "many" + i), 1000 + i)).isEqualTo(random(1000 + i, 10 + i));
            }
            List<String> added = new java.util.ArrayList<>(descriptorTargets());
            targetsBefore.forEach(added::remove);
            assertThat(openDescriptors()).as("no host descriptor kept; new: %s", added).isEqualTo(before);
            String realRoot = root.toRealPath().toString();
            assertThat(descriptorTargets()).noneMatch(t -> t.startsWith(realRoot));
        }
    }

    private static List<String> descriptorTargets() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString();
                } catch (IOException gone) {
                    return "";
                }
            }).toList();
        }
    }

    /** A transport that cannot take descriptors, as over a connection without SCM_RIGHTS. */
    private record NoDescriptors(Transport inner) implements Transport {
        @Override public ByteBuffer readFrame(int msize) throws dev.jvisor.abi.ErrnoException, dev.jvisor.p9.P9ProtocolException {
            return inner.readFrame(msize);
        }
        @Override public void writeFrame(ByteBuffer frame) throws dev.jvisor.abi.ErrnoException {
            inner.writeFrame(frame);
        }
        @Override public void close() {
            inner.close();
        }
    }

    @Test
    void withoutLentDescriptorsTheCopyComesThroughTread() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        byte[] big = random((2 << 20) + 777, 5);
        Files.write(root.resolve("big"), big);
        FdTransport[] pair = FdTransport.socketPair();
        try (GoferFileServer files = GoferFileServer.open(List.of(new MountPoint("/", root, true)));
             P9Server server = new P9Server(pair[0], files, P9Server.Limits.defaults())) {
            server.start("lent-copy-test-gofer");
            try (P9Client client = P9Client.connect(new NoDescriptors(pair[1]), (1 << 20) + 11)) {
                GoferDir top = GoferFs.mount(client, "/", GoferFs.CacheMode.EXCLUSIVE, true);
                assertThat(((GoferFile) top.lookup("big")).lend()).isNull();
                OverlayFile f = overlayOf(top, "big");
                assertThat(readAll(f, big.length)).isEqualTo(big);
                assertThat(f.cachedContent()).isNotNull();
            }
        }
    }
}
