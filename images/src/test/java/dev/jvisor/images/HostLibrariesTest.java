package dev.jvisor.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ldd and dpkg on this machine: the libraries a program loads and the packages they came from. */
class HostLibrariesTest {
    private static final Path SH = Path.of("/bin/sh");

    @Test
    void aProgramNeedsTheCLibraryAndTheLoaderFromLibc6() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg-query")), "not a Debian machine (no dpkg-query)");
        SortedSet<Path> libs = HostLibraries.neededBy(List.of(SH));
        assertThat(libs.stream().map(p -> p.getFileName().toString())).contains("libc.so.6", "ld-linux-x86-64.so.2");
        SortedMap<Path, DebianPackage> owners = HostLibraries.packagesOf(libs);
        DebianPackage libc = owners.get(libs.stream().filter(p -> p.endsWith("libc.so.6")).findFirst().orElseThrow());
        assertThat(libc.name()).isEqualTo("libc6");
        Process p = new ProcessBuilder("dpkg-query", "-W", "-f", "${Version}", "libc6").start();
        assertThat(libc.version()).isEqualTo(new String(p.getInputStream().readAllBytes()).strip()).isNotEmpty();
    }

    @Test
    void librariesInsideTheTreeAreNotHostLibraries(@TempDir Path dir) throws Exception {
        // A copy of /bin/sh inside the tree: its libc is the host's, the copy itself is not.
        Path copy = dir.resolve("sh");
        Files.copy(SH.toRealPath(), copy);
        SortedSet<Path> libs = HostLibraries.neededBy(List.of(dir));
        assertThat(libs).isNotEmpty().noneMatch(p -> p.startsWith(dir));
    }

    @Test
    void aFileNoPackageOwnsIsATypedError(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg-query")), "not a Debian machine (no dpkg-query)");
        Path stray = Files.writeString(dir.resolve("libstray.so.1"), "x");
        assertThatThrownBy(() -> HostLibraries.packagesOf(new TreeSet<>(List.of(stray))))
                .isInstanceOf(ImageBuildException.class).hasMessageContaining("no installed Debian package owns");
    }

    @Test
    void lddLinesNameTheResolvedPathOrNone() {
        assertThat(HostLibraries.resolvedPath("libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)"))
                .isEqualTo("/lib/x86_64-linux-gnu/libc.so.6");
        assertThat(HostLibraries.resolvedPath("/lib64/ld-linux-x86-64.so.2 (0x00007f)")).isEqualTo("/lib64/ld-linux-x86-64.so.2");
        assertThat(HostLibraries.resolvedPath("linux-vdso.so.1 (0x00007ffd)")).isNull();
        assertThat(HostLibraries.resolvedPath("statically linked")).isNull();
    }
}
