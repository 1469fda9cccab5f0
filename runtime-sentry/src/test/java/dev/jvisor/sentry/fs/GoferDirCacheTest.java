package dev.jvisor.sentry.fs;

import dev.jvisor.sentry.fs.gofer.GoferDir;
import dev.jvisor.sentry.fs.gofer.GoferFs;
import dev.jvisor.sentry.fs.gofer.GoferProcess;
import dev.jvisor.sentry.vfs.DirInode;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.SymlinkInode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The directory caches of the gofer filesystem against a real Gofer: in exclusive mode a listed
 * directory answers for missing names without asking, yet every change the sandbox makes there
 * is seen at once; in shared mode nothing is answered from memory. Files changed behind the
 * Sentry's back show which answers came from the cache.
 */
class GoferDirCacheTest {
    @TempDir
    Path dir;

    @Test
    void listedExclusiveDirectoryAnswersMissingNamesFromTheListing() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.writeString(root.resolve("present"), "x");
        try (GoferProcess g = GoferProcess.start(root, false)) {
            GoferDir top = GoferFs.mount(g.client(), "/", GoferFs.CacheMode.EXCLUSIVE, false);
            assertThat(names(top)).containsExactly("present");

            Files.writeString(root.resolve("behind-the-back"), "x");
            // Answered from the listing: the Gofer was not asked, so the new host file is not seen.
            assertThat(top.lookup("behind-the-back")).isNull();
            assertThat(top.lookup("present")).isNotNull();
        }
    }

    @Test
    void aLinksTargetComesWithItsLookupAndSharedModeReadsItAgainLater() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.createSymbolicLink(root.resolve("ln"), Path.of("first"));
        for (GoferFs.CacheMode mode : GoferFs.CacheMode.values()) {
            try (GoferProcess g = GoferProcess.start(root, false)) {
                GoferDir top = GoferFs.mount(g.client(), "/", mode, false);
                SymlinkInode ln = (SymlinkInode) top.lookup("ln");
                // Retargeted behind the Sentry's back after the lookup: the walk brought the target.
                Files.delete(root.resolve("ln"));
                Files.createSymbolicLink(root.resolve("ln"), Path.of("second"));
                assertThat(ln.target()).as(mode.name()).isEqualTo("first");
                // Exclusive mode keeps it; shared mode asks again for every later read.
                assertThat(ln.target()).as(mode.name()).isEqualTo(mode == GoferFs.CacheMode.EXCLUSIVE ? "first" : "second");
                Files.delete(root.resolve("ln"));
                Files.createSymbolicLink(root.resolve("ln"), Path.of("first"));
            }
        }
    }

    @Test
    void filesTheSandboxCreatesAfterANegativeLookupAreFound() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        try (GoferProcess g = GoferProcess.start(root, false)) {
            GoferDir top = GoferFs.mount(g.client(), "/", GoferFs.CacheMode.EXCLUSIVE, false);
            assertThat(top.lookup("early")).isNull();        // remembered as missing
            assertThat(names(top)).isEmpty();                  // and now the directory is listed
            assertThat(top.lookup("late")).isNull();

            Inode early = top.createRegular("early", 0644, 0, 0);
            assertThat(top.lookup("early")).isSameAs(early);
            top.createRegular("late", 0644, 0, 0);
            assertThat(top.lookup("late")).isNotNull();
            top.link("sub", new DirInode(top.fs(), 0755, 0, 0));
            assertThat(top.lookup("sub")).isInstanceOf(GoferDir.class);
            top.link("ln", new SymlinkInode(top.fs(), "early", 0, 0));
            assertThat(((SymlinkInode) top.lookup("ln")).target()).isEqualTo("early");
            assertThat(names(top)).containsExactlyInAnyOrder("early", "late", "sub", "ln");
            assertThat(Files.exists(root.resolve("late"))).isTrue();
        }
    }

    @Test
    void unlinkAndRenameInsideTheSandboxAreSeenAfterAListing() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.writeString(root.resolve("a"), "a");
        Files.writeString(root.resolve("b"), "b");
        Files.createDirectories(root.resolve("d"));
        try (GoferProcess g = GoferProcess.start(root, false)) {
            GoferDir top = GoferFs.mount(g.client(), "/", GoferFs.CacheMode.EXCLUSIVE, false);
            GoferDir d = (GoferDir) top.lookup("d");
            assertThat(names(top)).containsExactlyInAnyOrder("a", "b", "d");
            assertThat(names(d)).isEmpty();

            top.unlink("a");
            assertThat(top.lookup("a")).isNull();
            Inode b = top.lookup("b");
            DirInode.rename(top, "b", d, "moved");
            assertThat(top.lookup("b")).isNull();
            assertThat(d.lookup("moved")).isSameAs(b);
            assertThat(names(d)).containsExactly("moved");

            // The names freed may be taken again, and the new files are found.
            top.createRegular("a", 0600, 0, 0);
            DirInode.rename(d, "moved", top, "b");
            assertThat(top.lookup("a")).isNotNull();
            assertThat(top.lookup("b")).isSameAs(b);
            assertThat(d.lookup("moved")).isNull();
            assertThat(names(top)).containsExactlyInAnyOrder("a", "b", "d");
            assertThat(Files.readString(root.resolve("b"))).isEqualTo("b");
        }
    }

    @Test
    void sharedModeNeverAnswersFromAListing() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.writeString(root.resolve("gone-later"), "x");
        try (GoferProcess g = GoferProcess.start(root, false)) {
            GoferDir top = GoferFs.mount(g.client(), "/", GoferFs.CacheMode.SHARED, false);
            assertThat(top.lookup("late")).isNull();
            assertThat(names(top)).containsExactly("gone-later");

            Files.writeString(root.resolve("late"), "x");     // another writer
            Files.delete(root.resolve("gone-later"));
            assertThat(top.lookup("late")).isNotNull();
            assertThat(top.lookup("gone-later")).isNull();
            assertThat(names(top)).containsExactly("late");
        }
    }

    @Test
    void listingsOfEverySizeAreWholeAcrossReplyBoundaries() throws Exception {
        // Entry counts around one and several 64 KiB Treaddir replies, names up to NAME_MAX bytes.
        for (int count : new int[] {0, 1, 1500, 2600, 5000}) {
            Path d = Files.createDirectories(dir.resolve("d" + count));
            Set<String> expected = new HashSet<>();
            for (int i = 0; i < count; i++) {
                String name = i % 97 == 0 ? (i + "-" + "x".repeat(255)).substring(0, 255) : "entry-" + i;
                Files.createFile(d.resolve(name));
                expected.add(name);
            }
            try (GoferProcess g = GoferProcess.start(d, true)) {
                GoferDir top = GoferFs.mount(g.client(), "/", GoferFs.CacheMode.EXCLUSIVE, true);
                List<String> listed = names(top);
                assertThat(listed).as("listing of %d entries", count).hasSize(count);
                assertThat(new HashSet<>(listed)).isEqualTo(expected);
                if (count > 0) assertThat(top.lookup(listed.getLast())).isNotNull();
                assertThat(top.lookup("absent")).isNull();
            }
            try (Stream<Path> s = Files.list(d)) {
                assertThat(s.count()).isEqualTo(count);
            }
        }
    }

    private static List<String> names(DirInode d) {
        return d.list().stream().map(Map.Entry::getKey).toList();
    }
}
