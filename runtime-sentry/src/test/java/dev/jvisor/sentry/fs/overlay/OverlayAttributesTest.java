package dev.jvisor.sentry.fs.overlay;

import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.vfs.DirInode;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.OpenFile;
import dev.jvisor.sentry.vfs.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What stat shows for lower files the sandbox has not changed: the host's size, blocks, link
 * count and times, as overlayfs shows them (ls -la parity), against a real Gofer; and the
 * sandbox's own once it changes them.
 */
class OverlayAttributesTest {
    @TempDir
    Path dir;

    /** st_blocks, st_nlink and st_mtime (s) of a host path, not following a symlink, from stat(1). */
    private static long[] host(Path p) throws Exception {
        Process s = new ProcessBuilder("stat", "-c", "%b %h %Y", p.toString()).start();
        String out = new String(s.getInputStream().readAllBytes()).strip();
        assertThat(s.waitFor()).isZero();
        String[] f = out.split(" ");
        return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])};
    }

    @Test
    void unchangedLowerEntriesShowTheHostsAttributes() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path big = Files.createDirectories(root.resolve("big"));
        for (int i = 0; i < 600; i++) Files.createFile(big.resolve("a-fairly-long-file-name-number-" + i));
        Files.writeString(root.resolve("file"), "content");
        Files.createLink(root.resolve("hardlink"), root.resolve("file"));
        Files.createSymbolicLink(root.resolve("link"), Path.of("file"));
        run("touch", "-h", "-d", "2001-02-03 04:05:06", root.resolve("link").toString());
        long[] bigHost = host(big), fileHost = host(root.resolve("file")), linkHost = host(root.resolve("link"));

        try (RootFilesystem fs = RootFilesystem.open(root, RootFilesystem.Overlay.MEMORY)) {
            DirInode top = fs.root();
            Stat d = top.lookup("big").stat();
            assertThat(d.size()).isEqualTo(Files.size(big)).isGreaterThan(4096);
            assertThat(d.blocks()).isEqualTo(bigHost[0]);
            Stat l = top.lookup("link").stat();
            assertThat(l.mtimeNs() / 1_000_000_000L).isEqualTo(linkHost[2]);
            assertThat(l.blocks()).isEqualTo(linkHost[0]);
            assertThat(l.size()).isEqualTo(4);

            Inode file = top.lookup("file");
            assertThat(file.stat().nlink()).as("two host links").isEqualTo(2);
            // Read (the overlay caches it in memory): still the host file's blocks.
            OpenFile r = file.open(null, "/file", FileMode.O_RDONLY);
            r.release();
            assertThat(file.stat().blocks()).isEqualTo(fileHost[0]);
            // Written: the sandbox's copy from then on.
            OpenFile w = file.open(null, "/file", FileMode.O_RDWR);
            try {
                w.pwrite(null, new byte[100_000], 0, 100_000, 0);
            } finally {
                w.release();
            }
            assertThat(file.stat().size()).isEqualTo(100_000);

            // A directory the sandbox changed reports its own size from then on.
            ((DirInode) top.lookup("big")).unlink("a-fairly-long-file-name-number-0");
            assertThat(top.lookup("big").stat().size()).isEqualTo(4096);
        }
        assertThat(Files.readString(root.resolve("file"))).as("the lower layer is never written").isEqualTo("content");
    }

    private static void run(String... argv) throws Exception {
        Process p = new ProcessBuilder(List.of(argv)).inheritIO().start();
        assertThat(p.waitFor()).isZero();
    }
}
