package dev.jvisor.sentry.fs;

import dev.jvisor.sentry.SandboxRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A sandboxed program tries to reach a marker file next to (outside) its Gofer-served rootfs
 * through symlinks planted in the rootfs, {@code ..} walks and hard links, with the overlay on and
 * off. The marker's content must never come back and the host tree must not change.
 */
class RootEscapeTest {
    private static final String MARKER = "host secret marker 7f3a";

    @TempDir
    Path dir;

    private Path plantedRootfs() throws Exception {
        Path marker = Files.writeString(dir.resolve("marker"), MARKER);
        Path root = SandboxRunner.busyboxRootfs(dir.resolve("root"));
        Files.createSymbolicLink(root.resolve("etc/absolute"), marker.toAbsolutePath());
        Files.createSymbolicLink(root.resolve("etc/relative"), Path.of("../../marker"));
        Files.createSymbolicLink(root.resolve("etc/deep"), Path.of("../../../../../../../../" + marker.toAbsolutePath()));
        return root;
    }

    private static final String ATTEMPTS = "cat /etc/absolute /etc/relative /etc/deep /../marker /../../marker "
            + "/etc/../../marker 2>/dev/null; cd /; cd ..; cd ..; cat marker 2>/dev/null; "
            + "ln /etc/absolute /hard 2>/dev/null; cat /hard 2>/dev/null; ls -a /.. ; echo done";

    @Test
    void symlinksAndDotDotStayInsideWithTheOverlay() throws Exception {
        Path root = plantedRootfs();
        SandboxRunner.Result r = SandboxRunner.run(root, List.of("/bin/sh", "-c", ATTEMPTS), null);
        assertThat(r.out()).doesNotContain(MARKER).endsWith("done\n").contains("etc\n");
        assertThat(r.err()).doesNotContain(MARKER);
    }

    @Test
    void symlinksAndDotDotStayInsideWithTheOverlayOff() throws Exception {
        Path root = plantedRootfs();
        SandboxRunner.Result r = SandboxRunner.run(root, List.of("/bin/sh", "-c", ATTEMPTS), null, false, false);
        assertThat(r.out()).doesNotContain(MARKER).endsWith("done\n");
        assertThat(r.err()).doesNotContain(MARKER);
        assertThat(dir.resolve("marker")).hasContent(MARKER);
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("marker", "root");
        }
    }
}
