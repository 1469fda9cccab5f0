package dev.jvisor.nodeagent.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DistributionInstallerTest {

    @TempDir
    Path tmp;
    Path dist;
    Path installDir;
    DistributionInstaller installer;

    @BeforeEach
    void distribution() throws Exception {
        dist = tmp.resolve("dist");
        Files.createDirectories(dist.resolve("bin"));
        Files.createDirectories(dist.resolve("share/doc"));
        Files.writeString(dist.resolve("bin/runsc"), "#!/bin/sh\necho v1\n");
        Files.setPosixFilePermissions(dist.resolve("bin/runsc"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dist.resolve("share/doc/README"), "docs\n");
        Files.createSymbolicLink(dist.resolve("bin/runsc-link"), Path.of("runsc"));
        installDir = tmp.resolve("host/opt/jvisor");
        installer = new DistributionInstaller(installDir);
    }

    @Test
    void installsTreeAndPointsCurrentAtIt() throws Exception {
        installer.install(dist, "1.0.0");
        installer.activate("1.0.0");
        Path current = installDir.resolve("current");
        assertThat(Files.readSymbolicLink(current)).isEqualTo(Path.of("1.0.0"));
        assertThat(Files.readString(current.resolve("bin/runsc"))).contains("v1");
        assertThat(Files.isExecutable(current.resolve("bin/runsc"))).isTrue();
        assertThat(Files.readSymbolicLink(current.resolve("bin/runsc-link"))).isEqualTo(Path.of("runsc"));
        assertThat(current.resolve("share/doc/README")).hasContent("docs");
        assertThat(installer.currentVersion()).contains("1.0.0");
    }

    @Test
    void reinstallReplacesFilesByRenameSoARunningBinaryKeepsItsInode() throws Exception {
        installer.install(dist, "1.0.0");
        Path runsc = installDir.resolve("1.0.0/bin/runsc");
        Object inodeBefore = Files.getAttribute(runsc, "unix:ino");
        try (FileChannel running = FileChannel.open(runsc, StandardOpenOption.READ)) {
            Files.writeString(dist.resolve("bin/runsc"), "#!/bin/sh\necho v2 longer content\n");
            installer.install(dist, "1.0.0");
            ByteBuffer buffer = ByteBuffer.allocate(100);
            running.read(buffer, 0);
            assertThat(new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8))
                    .as("the old file is intact for whoever still has it open").contains("v1");
        }
        assertThat(Files.getAttribute(runsc, "unix:ino")).isNotEqualTo(inodeBefore);
        assertThat(Files.readString(runsc)).contains("v2");
    }

    @Test
    void reinstallDropsFilesTheDistributionNoLongerHasAndCrashLeftovers() throws Exception {
        installer.install(dist, "1.0.0");
        Files.writeString(installDir.resolve("1.0.0/bin/runsc" + AtomicFiles.TEMP_SUFFIX), "half written");
        Files.writeString(installDir.resolve("1.0.0/stale"), "old");
        installer.install(dist, "1.0.0");
        try (var files = Files.walk(installDir.resolve("1.0.0"))) {
            assertThat(files.map(p -> installDir.resolve("1.0.0").relativize(p).toString()))
                    .containsExactlyInAnyOrder("", "bin", "bin/runsc", "bin/runsc-link", "share", "share/doc",
                            "share/doc/README");
        }
    }

    @Test
    void switchingVersionsIsAtomicAndRemovalCleansUp() throws Exception {
        installer.install(dist, "1.0.0");
        installer.activate("1.0.0");
        installer.install(dist, "1.1.0");
        installer.activate("1.1.0");
        assertThat(installer.currentVersion()).contains("1.1.0");
        installer.remove(List.of("1.0.0", "1.1.0"));
        assertThat(installDir).doesNotExist();
        installer.remove(List.of("1.0.0", "1.1.0"));
    }

    @Test
    void removeKeepsFilesItDidNotInstall() throws Exception {
        installer.install(dist, "1.0.0");
        Files.writeString(installDir.resolve("operator-notes.txt"), "mine");
        installer.remove(List.of("1.0.0"));
        assertThat(installDir.resolve("operator-notes.txt")).hasContent("mine");
        assertThat(installDir.resolve("1.0.0")).doesNotExist();
    }

    @Test
    void versionsThatCouldEscapeOrCollideAreRefused() {
        for (String bad : List.of("../etc", "a/b", "current", "", ".hidden", "..", "x".repeat(200), "1.0\n")) {
            assertThatThrownBy(() -> installer.install(dist, bad)).as(bad)
                    .isInstanceOfSatisfying(HostException.class,
                            e -> assertThat(e.reason()).isEqualTo(HostException.Reason.INVALID_VERSION));
        }
        assertThat(installDir).doesNotExist();
    }

    @Test
    void distributionWithoutRunscIsRefused() throws Exception {
        Files.delete(dist.resolve("bin/runsc-link"));
        Files.delete(dist.resolve("bin/runsc"));
        assertThatThrownBy(() -> installer.install(dist, "1.0.0"))
                .isInstanceOfSatisfying(HostException.class,
                        e -> assertThat(e.reason()).isEqualTo(HostException.Reason.INVALID_DISTRIBUTION));
    }

    @Test
    void symlinksLeavingTheDistributionAreRefused() throws Exception {
        Files.createSymbolicLink(dist.resolve("bin/shadow"), Path.of("/etc/shadow"));
        assertThatThrownBy(() -> installer.install(dist, "1.0.0"))
                .isInstanceOfSatisfying(HostException.class,
                        e -> assertThat(e.reason()).isEqualTo(HostException.Reason.INVALID_DISTRIBUTION));
        Files.delete(dist.resolve("bin/shadow"));
        Files.createSymbolicLink(dist.resolve("bin/up"), Path.of("../../outside"));
        assertThatThrownBy(() -> installer.install(dist, "1.0.0"))
                .isInstanceOfSatisfying(HostException.class,
                        e -> assertThat(e.reason()).isEqualTo(HostException.Reason.INVALID_DISTRIBUTION));
    }

    @Test
    void installDirThatIsASymlinkIsNotFollowed() throws Exception {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.createDirectories(installDir.getParent());
        Files.createSymbolicLink(installDir, elsewhere);
        assertThatThrownBy(() -> installer.install(dist, "1.0.0"))
                .isInstanceOfSatisfying(HostException.class,
                        e -> assertThat(e.reason()).isEqualTo(HostException.Reason.UNEXPECTED_HOST_FILE));
        try (var files = Files.list(elsewhere)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void currentThatIsARealDirectoryIsNotReplaced() throws Exception {
        installer.install(dist, "1.0.0");
        Files.createDirectories(installDir.resolve("current"));
        assertThatThrownBy(() -> installer.activate("1.0.0"))
                .isInstanceOfSatisfying(HostException.class,
                        e -> assertThat(e.reason()).isEqualTo(HostException.Reason.UNEXPECTED_HOST_FILE));
    }
}
