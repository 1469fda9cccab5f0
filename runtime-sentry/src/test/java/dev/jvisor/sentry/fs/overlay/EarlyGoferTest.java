package dev.jvisor.sentry.fs.overlay;

import dev.jvisor.sentry.fs.gofer.GoferProcess;
import dev.jvisor.sentry.vfs.Inode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A Gofer started ahead of the root it serves, against real Gofer processes: the root adopts
 * exactly that process, a Gofer nobody adopts is stopped, and a Gofer started for one root or
 * mode never serves another.
 */
class EarlyGoferTest {
    @TempDir
    Path dir;

    @Test
    void openAdoptsTheGoferStartedEarlyForThatRoot() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.writeString(root.resolve("f"), "early");
        try (RootFilesystem.EarlyGofer early = RootFilesystem.startGoferEarly(root, RootFilesystem.Overlay.MEMORY)) {
            assertThat(ProcessHandle.of(early.pid())).isPresent();
            // The same directory named another way is the same root.
            try (RootFilesystem fs = RootFilesystem.open(root.resolve("x/..").normalize(), RootFilesystem.Overlay.MEMORY)) {
                assertThat(fs.goferPid()).isEqualTo(early.pid());
                Inode f = fs.root().lookup("f");
                assertThat(f).isNotNull();
                assertThat(f.size()).isEqualTo(5);
                // Closing the early handle once it was adopted leaves the root's Gofer alone.
                early.close();
                assertThat(ProcessHandle.of(early.pid()).map(ProcessHandle::isAlive)).contains(true);
                assertThat(fs.root().lookup("f")).isNotNull();
            }
            assertThat(gone(early.pid())).isTrue();
        }
    }

    @Test
    void aGoferNobodyAdoptsIsStoppedOnClose() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        int pid;
        try (RootFilesystem.EarlyGofer early = RootFilesystem.startGoferEarly(root, RootFilesystem.Overlay.MEMORY)) {
            pid = early.pid();
        }
        assertThat(gone(pid)).isTrue();
        // And it is not handed out later: a new open starts a Gofer of its own.
        try (RootFilesystem fs = RootFilesystem.open(root, RootFilesystem.Overlay.MEMORY)) {
            assertThat(fs.goferPid()).isNotEqualTo(pid);
        }
    }

    @Test
    void aGoferStartedForOneRootOrModeNeverServesAnother() throws Exception {
        Path a = Files.createDirectories(dir.resolve("a"));
        Path b = Files.createDirectories(dir.resolve("b"));
        Files.writeString(b.resolve("only-in-b"), "");
        try (RootFilesystem.EarlyGofer early = RootFilesystem.startGoferEarly(a, RootFilesystem.Overlay.MEMORY)) {
            try (RootFilesystem other = RootFilesystem.open(b, RootFilesystem.Overlay.MEMORY);
                 // Read-write is not what the read-only Gofer of a was started for.
                 RootFilesystem writable = RootFilesystem.open(a, RootFilesystem.Overlay.NONE)) {
                assertThat(List.of(other.goferPid(), writable.goferPid())).doesNotContain(early.pid());
                assertThat(other.root().lookup("only-in-b")).isNotNull();
            }
            try (RootFilesystem adopted = RootFilesystem.open(a, RootFilesystem.Overlay.MEMORY)) {
                assertThat(adopted.goferPid()).isEqualTo(early.pid());
            }
        }
    }

    @Test
    void aGoferThatCannotServeItsRootFailsTheOpenWithATypedError() throws Exception {
        Path missing = dir.resolve("missing");
        try (RootFilesystem.EarlyGofer early = RootFilesystem.startGoferEarly(missing, RootFilesystem.Overlay.MEMORY)) {
            assertThatThrownBy(() -> RootFilesystem.open(missing, RootFilesystem.Overlay.MEMORY))
                    .isInstanceOf(GoferProcess.GoferStartException.class)
                    .hasMessageContaining("did not answer");
            assertThat(gone(early.pid())).isTrue();
        }
    }

    /** Whether {@code pid} has exited and been reaped (it is the test JVM's child). */
    private static boolean gone(int pid) throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            if (ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)) return true;
            Thread.sleep(10);
        }
        return false;
    }
}
