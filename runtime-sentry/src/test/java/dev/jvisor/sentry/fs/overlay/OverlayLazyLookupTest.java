package dev.jvisor.sentry.fs.overlay;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.ErrnoException;
import dev.jvisor.sentry.fs.tmpfs.RegularInode;
import dev.jvisor.sentry.vfs.DirInode;
import dev.jvisor.sentry.vfs.Inode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An overlay directory over a real Gofer brings lower entries in one lookup at a time and lists
 * the lower directory only when listed, stat'ed or probed for several missing names. Files
 * created on the host behind the Sentry's back show which: a directory that was listed keeps the
 * listing it read, one that was not still finds the new name. Unlinks and renames of lower names
 * that were never looked up must stay done after a later listing.
 */
class OverlayLazyLookupTest {
    @TempDir
    Path dir;
    /** Enough entries that the directory is larger than OverlayDir.SMALL_DIRECTORY_BYTES on ext4 and tmpfs. */
    static final int FILES = 600;
    Path big;

    @BeforeEach
    void lowerLayer() throws Exception {
        big = Files.createDirectories(dir.resolve("root/big"));
        // fN holds N bytes: a file's size says which lower file an entry is.
        for (int i = 0; i < FILES; i++) Files.writeString(big.resolve("f" + i), "x".repeat(i));
        Files.createDirectory(big.resolve("sub"));
    }

    private RootFilesystem open() {
        return RootFilesystem.open(dir.resolve("root"), RootFilesystem.Overlay.MEMORY);
    }

    private static List<String> names(DirInode d) {
        return d.list().stream().map(Map.Entry::getKey).toList();
    }

    @Test
    void lookingUpOneNameDoesNotListTheDirectory() throws Exception {
        try (RootFilesystem fs = open()) {
            DirInode d = (DirInode) fs.root().lookup("big");
            assertThat(d.lookup("f7")).isNotNull();
            assertThat(d.lookup("sub")).isInstanceOf(DirInode.class);
            assertThat(d.lookup("f7")).as("the same inode each time").isSameAs(d.lookup("f7"));
            // The same missing name asked again and again is one miss, not a reason to list.
            for (int i = 0; i < 10; i++) assertThat(d.lookup("absent")).isNull();
            Files.writeString(big.resolve("late"), "made on the host afterwards");
            assertThat(d.lookup("late")).as("not listed yet, so the Gofer is asked").isNotNull();
        }
    }

    @Test
    void severalMissingNamesListTheDirectoryOnce() throws Exception {
        try (RootFilesystem fs = open()) {
            DirInode d = (DirInode) fs.root().lookup("big");
            for (int i = 0; i < OverlayDir.MISSES_BEFORE_LISTING; i++) assertThat(d.lookup("absent" + i)).isNull();
            Files.writeString(big.resolve("late"), "made on the host after the listing");
            assertThat(d.lookup("late")).as("answered from the listing").isNull();
            assertThat(names(d)).hasSize(FILES + 1).contains("f0", "f" + (FILES - 1), "sub").doesNotContain("late");
        }
    }

    @Test
    void aSmallDirectoryIsListedAtItsFirstMiss() throws Exception {
        Path small = Files.createDirectories(dir.resolve("root/small"));
        Files.writeString(small.resolve("present"), "x");
        try (RootFilesystem fs = open()) {
            assertThat(Files.size(small)).isLessThanOrEqualTo(OverlayDir.SMALL_DIRECTORY_BYTES);
            assertThat(Files.size(big)).isGreaterThan(OverlayDir.SMALL_DIRECTORY_BYTES);
            DirInode d = (DirInode) fs.root().lookup("small");
            assertThat(d.lookup("absent")).isNull();
            Files.writeString(small.resolve("late"), "made on the host after the first miss");
            assertThat(d.lookup("late")).as("answered from the listing the miss made").isNull();
            assertThat(d.lookup("present")).isNotNull();
        }
    }

    @Test
    void statOfAnUnchangedDirectoryTakesTheLowerLinkCountWithoutListing() throws Exception {
        Files.createDirectory(big.resolve("sub2"));
        try (RootFilesystem fs = open()) {
            DirInode d = (DirInode) fs.root().lookup("big");
            assertThat(d.lookup("sub")).isNotNull();   // one subdirectory brought in, one not
            assertThat(d.stat().nlink()).as("itself, its entry above, two subdirectories' ..").isEqualTo(4);
            Files.writeString(big.resolve("late"), "made on the host after the stat");
            assertThat(d.lookup("late")).as("not listed by the stat").isNotNull();
            // Changed by the sandbox: the count is the overlay's own from then on.
            d.link("made", new dev.jvisor.sentry.vfs.DirInode(d.fs(), 0755, 0, 0));
            assertThat(d.stat().nlink()).isEqualTo(5);
            d.unlink("sub");
            assertThat(d.stat().nlink()).isEqualTo(4);
        }
    }

    @Test
    void statAndListingMergeEveryLowerEntryOnce() throws Exception {
        try (RootFilesystem fs = open()) {
            DirInode d = (DirInode) fs.root().lookup("big");
            Inode f3 = d.lookup("f3");
            assertThat(d.stat().nlink()).as("itself, its entry above and sub's ..").isEqualTo(3);
            assertThat(names(d)).hasSize(FILES + 1).doesNotHaveDuplicates();
            assertThat(d.lookup("f3")).as("the inode looked up before the merge").isSameAs(f3);
        }
    }

    @Test
    void unlinkingLowerNamesNeverLookedUpSurvivesTheMerge() throws Exception {
        try (RootFilesystem fs = open()) {
            DirInode d = (DirInode) fs.root().lookup("big");
            assertThat(d.unlink("f1")).isNotNull();
            assertThatThrownBy(() -> d.unlink("absent")).isInstanceOf(ErrnoException.class)
                    .extracting(e -> ((ErrnoException) e).errno()).isEqualTo(Errno.ENOENT);
            assertThat(d.lookup("f1")).isNull();
            assertThat(names(d)).hasSize(FILES).doesNotContain("f1");
            assertThat(d.lookup("f1")).isNull();
            assertThat(big.resolve("f1")).as("the lower layer is never written").exists();
        }
    }

    @Test
    void renamingLowerNamesNeverLookedUpSurvivesTheMerge() throws Exception {
        try (RootFilesystem fs = open()) {
            DirInode d = (DirInode) fs.root().lookup("big");
            DirInode.rename(d, "f3", d, "g3");
            assertThat(d.lookup("f3")).isNull();
            assertThat(d.lookup("g3").size()).as("f3's content").isEqualTo(3);
            // Onto a lower name nobody looked up: it is replaced, not listed twice.
            DirInode.rename(d, "g3", d, "f4");
            assertThat(d.lookup("g3")).isNull();
            assertThat(d.lookup("f4").size()).as("f3's content").isEqualTo(3);
            List<String> names = names(d);
            assertThat(names).hasSize(FILES).doesNotHaveDuplicates().contains("f4").doesNotContain("f3", "g3");
            assertThat(d.lookup("f3")).isNull();
        }
    }

    @Test
    void creatingALowerNameNeverLookedUpIsRefused() throws Exception {
        try (RootFilesystem fs = open()) {
            DirInode d = (DirInode) fs.root().lookup("big");
            assertThatThrownBy(() -> d.link("f5", new RegularInode(d.fs(), 0644, 0, 0)))
                    .isInstanceOf(ErrnoException.class)
                    .extracting(e -> ((ErrnoException) e).errno()).isEqualTo(Errno.EEXIST);
            d.link("new", new RegularInode(d.fs(), 0644, 0, 0));
            assertThat(names(d)).hasSize(FILES + 2).contains("new", "f5");
        }
    }
}
