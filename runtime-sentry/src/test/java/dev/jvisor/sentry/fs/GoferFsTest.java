package dev.jvisor.sentry.fs;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.ErrnoException;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.fs.gofer.GoferDir;
import dev.jvisor.sentry.fs.gofer.GoferFs;
import dev.jvisor.sentry.fs.gofer.GoferProcess;
import dev.jvisor.sentry.vfs.DirInode;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.OpenFile;
import dev.jvisor.sentry.vfs.SymlinkInode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The gofer filesystem against a real Gofer child process: caching modes, errors, escapes. */
class GoferFsTest {
    @TempDir
    Path dir;

    @Test
    void exclusiveModeCachesAttributesWhileSharedModeRevalidates() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.writeString(root.resolve("f"), "1234");
        try (GoferProcess g = GoferProcess.start(root, true)) {
            GoferDir exclusive = GoferFs.mount(g.client(), "/", GoferFs.CacheMode.EXCLUSIVE, true);
            GoferDir shared = GoferFs.mount(g.client(), "/", GoferFs.CacheMode.SHARED, true);
            Inode ex = exclusive.lookup("f"), sh = shared.lookup("f");
            assertThat(ex.size()).isEqualTo(4);
            assertThat(sh.size()).isEqualTo(4);
            assertThat(exclusive.lookup("late")).isNull();
            assertThat(shared.lookup("late")).isNull();

            Files.writeString(root.resolve("f"), "123456789");   // another writer, behind the Sentry's back
            Files.writeString(root.resolve("late"), "x");
            assertThat(ex.size()).isEqualTo(4);
            assertThat(exclusive.lookup("late")).isNull();
            assertThat(sh.size()).isEqualTo(9);
            assertThat(shared.lookup("late")).isNotNull();
            assertThat(shared.list()).extracting(Map.Entry::getKey).containsExactlyInAnyOrder("f", "late");
        }
    }

    @Test
    void readsContentAndSymlinksAndMapsErrors() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        byte[] big = new byte[3 << 20];
        for (int i = 0; i < big.length; i++) big[i] = (byte) (i * 31);
        Files.write(root.resolve("big"), big);
        Files.createDirectories(root.resolve("d"));
        Files.createSymbolicLink(root.resolve("d/link"), Path.of("../big"));
        try (GoferProcess g = GoferProcess.start(root, true)) {
            GoferDir top = GoferFs.mount(g.client(), "/", GoferFs.CacheMode.EXCLUSIVE, true);
            Inode f = top.lookup("big");
            OpenFile open = f.open(null, "/big", FileMode.O_RDONLY);
            byte[] got = new byte[big.length + 10];
            int n = open.pread(null, got, 0, got.length, 0);
            open.release();
            assertThat(n).isEqualTo(big.length);
            assertThat(java.util.Arrays.copyOf(got, n)).isEqualTo(big);

            DirInode d = (DirInode) top.lookup("d");
            assertThat(((SymlinkInode) d.lookup("link")).target()).isEqualTo("../big");
            assertThat(d.parent()).isSameAs(top);
            assertThat(top.lookup("missing")).isNull();
            assertThatThrownBy(() -> f.open(null, "/big", FileMode.O_RDWR))
                    .isInstanceOf(ErrnoException.class).extracting(e -> ((ErrnoException) e).errno()).isEqualTo(Errno.EROFS);
            assertThatThrownBy(() -> top.unlink("big"))
                    .isInstanceOf(ErrnoException.class).extracting(e -> ((ErrnoException) e).errno()).isEqualTo(Errno.EROFS);
        }
    }

    @Test
    void symlinksAndDotDotNeverLeaveTheServedTree() throws Exception {
        Path outside = Files.writeString(dir.resolve("marker"), "outside the root", StandardCharsets.UTF_8);
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.createSymbolicLink(root.resolve("escape"), outside);
        try (GoferProcess g = GoferProcess.start(root, true)) {
            GoferDir top = GoferFs.mount(g.client(), "/", GoferFs.CacheMode.EXCLUSIVE, true);
            // The Gofer refuses multi-component and ".." names; the Sentry resolves links itself.
            assertThatThrownBy(() -> top.lookup(".."))
                    .isInstanceOf(ErrnoException.class).extracting(e -> ((ErrnoException) e).errno()).isEqualTo(Errno.EINVAL);
            assertThatThrownBy(() -> top.lookup("escape/x")).isInstanceOf(ErrnoException.class);
            Inode link = top.lookup("escape");
            assertThat(link).isInstanceOf(SymlinkInode.class);
            assertThatThrownBy(() -> link.open(null, "/escape", FileMode.O_RDONLY)).isInstanceOf(ErrnoException.class);
        }
    }
}
