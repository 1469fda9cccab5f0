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
 * The clunks the Sentry does not wait for (walked-only fids, directory listings) still happen:
 * a Gofer connection holds at most 16384 fids, so more walks than that through each deferred
 * path would fail with EMFILE if any fid were kept. Shared mode, so every call asks the Gofer.
 */
class DeferredClunksTest {
    /** More than the Gofer's fids per connection (P9Server.Limits). */
    private static final int MORE_THAN_THE_FID_LIMIT = 16384 + 600;

    @TempDir
    Path dir;

    @Test
    void attributeAndSymlinkReadsGiveEveryFidBack() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.writeString(root.resolve("f"), "1234");
        Files.createSymbolicLink(root.resolve("ln"), Path.of("f"));
        Files.createDirectories(root.resolve("d"));
        Files.writeString(root.resolve("d/inner"), "x");
        try (GoferProcess g = GoferProcess.start(root, true)) {
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
