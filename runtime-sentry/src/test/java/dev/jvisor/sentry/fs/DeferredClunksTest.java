package dev.jvisor.sentry.fs;

import dev.jvisor.sentry.fs.gofer.GoferDir;
import dev.jvisor.sentry.fs.gofer.GoferFs;
import dev.jvisor.sentry.fs.gofer.GoferProcess;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.SymlinkInode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The clunks the Sentry does not wait for (walked-only fids, directory listings) still happen,
 * and a fid parked for an open is given back when another displaces it: a Gofer connection
 * holds at most 16384 fids, so more walks than that through each path would fail with EMFILE
 * if any fid were kept.
 */
class DeferredClunksTest {
    /** More than the Gofer's fids per connection (P9Server.Limits). */
    private static final int MORE_THAN_THE_FID_LIMIT = 16384 + 600;

    @TempDir
    Path dir;

    @Test
    void fidsParkedForAnOpenAreGivenBackWhenDisplacedOrUsed() throws Exception {
        Path root = Files.createDirectories(dir.resolve("many"));
        for (int i = 0; i < MORE_THAN_THE_FID_LIMIT; i++) Files.createFile(root.resolve("f" + i));
        Files.writeString(root.resolve("f0"), "first");
        Files.writeString(root.resolve("f1"), "second");
        try (GoferProcess g = GoferProcess.start(root, false)) {
            GoferDir top = GoferFs.mount(g.client(), "/", GoferFs.CacheMode.EXCLUSIVE, false);
            // Exclusive mode: each lookup walks, reads attributes and parks its fid for an open,
            // displacing (and clunking) the one parked before.
            for (int i = 0; i < MORE_THAN_THE_FID_LIMIT; i++) assertThat(top.lookup("f" + i)).isNotNull();
            // Opens take the parked fid when it is theirs and walk when it is not.
            assertThat(read(top.lookup("f0"))).isEqualTo("first");
            assertThat(read(top.lookup("f1"))).isEqualTo("second");
            Inode created = top.createRegular("late", 0644, 0, 0);
            assertThat(created.size()).isZero();
            assertThat(read(created)).isEmpty();
        }
    }

    @Test
    void aParkedFidNamesItsOwnFileThroughRenameAndUnlink() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.writeString(root.resolve("a"), "content of a");
        Files.writeString(root.resolve("x"), "old x");
        try (GoferProcess g = GoferProcess.start(root, false)) {
            GoferDir top = GoferFs.mount(g.client(), "/", GoferFs.CacheMode.EXCLUSIVE, false);
            Inode a = top.lookup("a");                         // parks a fid for a
            dev.jvisor.sentry.vfs.DirInode.rename(top, "a", top, "b");
            assertThat(read(a)).isEqualTo("content of a");     // the moved file, by its parked fid

            Inode oldX = top.lookup("x");                      // parks a fid for the old x
            top.unlink("x");
            Inode newX = top.createRegular("x", 0644, 0, 0);
            Files.writeString(root.resolve("x"), "new x");      // content for the test only
            assertThat(newX).isNotSameAs(oldX);
            assertThat(read(top.lookup("x"))).isEqualTo("new x");
        }
    }

    private static String read(Inode file) {
        dev.jvisor.sentry.vfs.OpenFile f = file.open(null, "/x", dev.jvisor.abi.linux.FileMode.O_RDONLY);
        try {
            byte[] b = new byte[64];
            int n = f.pread(null, b, 0, b.length, 0);
            return new String(b, 0, Math.max(n, 0), java.nio.charset.StandardCharsets.UTF_8);
        } finally {
            f.release();
        }
    }

    @Test
    void attributeAndSymlinkReadsGiveEveryFidBack() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.writeString(root.resolve("f"), "1234");
        Files.createSymbolicLink(root.resolve("ln"), Path.of("f"));
        Files.createDirectories(root.resolve("d"));
        Files.writeString(root.resolve("d/inner"), "x");
        try (GoferProcess g = GoferProcess.start(root, true)) {
            // Shared mode: every call below asks the Gofer.
            GoferDir top = GoferFs.mount(g.client(), "/", GoferFs.CacheMode.SHARED, true);
            Inode f = top.lookup("f");
            SymlinkInode ln = (SymlinkInode) top.lookup("ln");
            GoferDir d = (GoferDir) top.lookup("d");
            for (int i = 0; i < MORE_THAN_THE_FID_LIMIT; i++) {
                assertThat(f.size()).isEqualTo(4);            // walk, Tgetattr, deferred clunk
                assertThat(ln.target()).isEqualTo("f");        // walk, Treadlink, deferred clunk
                assertThat(top.lookup("f")).isNotNull();       // walk, Tgetattr, deferred clunk
            }
            for (int i = 0; i < 300; i++) {
                assertThat(d.list()).extracting(Map.Entry::getKey).containsExactly("inner");
            }
            Files.writeString(root.resolve("late"), "x");
            assertThat(top.lookup("late")).isNotNull();        // the connection still has fids to spare
        }
    }
}
