package dev.jvisor.sentry.fs.overlay;

import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.vfs.DirInode;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.OpenFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * getdents64 over a directory of the overlay's lower layer, against a real Gofer: names and types
 * come from the listing alone, as Linux's getdents reads no inode, so a directory of many files
 * costs no Gofer round trip per file.
 */
class OverlayListingTest {
    @TempDir
    Path dir;

    @Test
    void listingALowerDirectoryGivesTypesWithoutReadingAnyFilesAttributes() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path sub = Files.createDirectories(root.resolve("sub"));
        Map<String, Integer> expected = new HashMap<>();
        expected.put(".", FileMode.dtype(FileMode.S_IFDIR));
        expected.put("..", FileMode.dtype(FileMode.S_IFDIR));
        for (int i = 0; i < 50; i++) {
            Files.writeString(sub.resolve("f" + i), "x");
            expected.put("f" + i, FileMode.dtype(FileMode.S_IFREG));
        }
        Files.createDirectory(sub.resolve("d"));
        expected.put("d", FileMode.dtype(FileMode.S_IFDIR));
        Files.createSymbolicLink(sub.resolve("l"), Path.of("f0"));
        expected.put("l", FileMode.dtype(FileMode.S_IFLNK));

        try (RootFilesystem fs = RootFilesystem.open(root, RootFilesystem.Overlay.MEMORY)) {
            DirInode d = (DirInode) fs.root().lookup("sub");
            OpenFile open = d.open(new Location(null, d), "/sub", FileMode.O_RDONLY);
            try {
                assertThat(entries(open)).isEqualTo(expected);
            } finally {
                open.release();
            }
            // Changed behind the Sentry's back after the listing: had the listing read the files'
            // attributes, the overlay would still show the ones it read (it keeps what it read).
            for (int i = 0; i < 50; i++) {
                Files.setPosixFilePermissions(sub.resolve("f" + i), PosixFilePermissions.fromString("rwx------"));
            }
            for (int i = 0; i < 50; i++) {
                assertThat(d.lookup("f" + i).mode() & 07777).as("f%d", i).isEqualTo(0700);
            }
        }
    }

    /** Every name and d_type getdents64 returns, in calls with a small buffer. */
    private static Map<String, Integer> entries(OpenFile dir) {
        Map<String, Integer> out = new HashMap<>();
        byte[] buf = new byte[256];
        while (true) {
            int n = dir.getdents(null, buf);
            if (n == 0) return out;
            ByteBuffer b = ByteBuffer.wrap(buf, 0, n).order(ByteOrder.LITTLE_ENDIAN);
            while (b.position() < n) {
                int start = b.position();
                b.getLong(); // d_ino
                b.getLong(); // d_off
                int reclen = b.getShort() & 0xffff;
                int type = b.get() & 0xff;
                int end = start + 19;
                while (buf[end] != 0) end++;
                String name = new String(buf, start + 19, end - start - 19, StandardCharsets.UTF_8);
                assertThat(out.put(name, type)).as("listed twice: %s", name).isNull();
                b.position(start + reclen);
            }
        }
    }
}
