package dev.jvisor.gofer;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.OpenFlags;
import dev.jvisor.p9.Attr;
import dev.jvisor.p9.DirEntry;
import dev.jvisor.p9.DonatedFile;
import dev.jvisor.p9.Errnos;
import dev.jvisor.p9.Rmessage;
import dev.jvisor.p9.Tmessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * jVisor's requests that save a lookup its Tclunk or a listing its clone, Tlopen and Tclunk —
 * Tlistdir, Tdonatefd with RELEASE and Twalkgetattr with ONLY_DIRS_AND_FILES — against the real
 * Gofer file server over the host filesystem: each answers what the longer sequence would, and
 * leaves exactly the fids it says it leaves, on success and on every error.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RoundTripExtensionsTest {
    private static final long LOOKUP = Attr.GETATTR_BASIC | Tmessage.WalkGetattr.ONLY_DIRS_AND_FILES;

    @TempDir
    Path root;
    private GoferHarness gofer;
    private int rootFid;

    @BeforeEach
    void start() throws Exception {
        Files.writeString(root.resolve("file"), "twelve bytes");
        Files.createDirectory(root.resolve("dir"));
        Files.createSymbolicLink(root.resolve("link"), Path.of("file"));
        gofer = new GoferHarness(List.of(new MountPoint("/", root, false)));
        rootFid = gofer.attachRoot();
    }

    @AfterEach
    void stop() throws Exception {
        gofer.close();
    }

    @Test
    void listdirAnswersWhatTreaddirOfAnOpenedCloneAnswersAndLeavesTheFidAsItWas() throws Exception {
        Path big = Files.createDirectory(root.resolve("big"));
        for (int i = 0; i < 1000; i++) Files.createFile(big.resolve("entry-" + i));
        Files.createDirectory(big.resolve("sub"));
        Files.createSymbolicLink(big.resolve("ln"), Path.of("/nowhere"));
        var c = gofer.client;
        int dir = c.walk(rootFid, "big");
        int fids = gofer.server.fidCount();

        List<DirEntry> listed = pages((at, count) -> c.listdir(dir, at, count), 2048);
        int opened = c.walk(rootFid, "big");
        c.lopen(opened, OpenFlags.O_RDONLY);
        List<DirEntry> read = pages((at, count) -> c.readdir(opened, at, count), 2048);
        c.clunk(opened);

        assertThat(listed).hasSize(1002).isEqualTo(read);   // 1000 files, sub and ln (never . or ..)
        assertThat(gofer.server.fidCount()).isEqualTo(fids);
        // Still a walked, unopened fid: it walks, and it opens.
        c.clunk(c.walk(dir, "sub"));
        c.lopen(dir, OpenFlags.O_RDONLY);
        assertThat(c.readdir(dir, 0, 8192)).isNotEmpty();
        c.clunk(dir);
    }

    @Test
    void listdirOfAFileAnUnknownFidOrAGoneDirectoryIsAnErrorAndTheConnectionGoesOn() throws Exception {
        var c = gofer.client;
        int file = c.walk(rootFid, "file");
        int fids = gofer.server.fidCount();
        assertThat(Errnos.of(() -> c.listdir(file, 0, 8192))).isEqualTo(Errno.ENOTDIR);
        assertThat(Errnos.of(() -> c.listdir(4711, 0, 8192))).isEqualTo(Errno.EBADF);
        int dir = c.walk(rootFid, "dir");
        Files.delete(root.resolve("dir"));
        assertThat(Errnos.of(() -> c.listdir(dir, 0, 8192))).isEqualTo(Errno.ENOENT);
        assertThat(gofer.server.fidCount()).isEqualTo(fids + 1);
        assertThat(c.listdir(rootFid, 0, 8192)).extracting(DirEntry::name).contains("file", "link");
        c.clunk(dir);
        c.clunk(file);
    }

    @Test
    void donateFdAndClunkLendsTheFileAndReleasesTheFidWhateverTheOutcome() throws Exception {
        var c = gofer.client;
        int fids = gofer.server.fidCount();
        int file = c.walk(rootFid, "file");
        try (DonatedFile lent = c.donateFdAndClunk(file)) {
            assertThat(lent.size()).isEqualTo(12);
        }
        assertThat(gofer.server.fidCount()).isEqualTo(fids);
        // A directory is not lent, and its fid is released all the same.
        int dir = c.walk(rootFid, "dir");
        assertThat(Errnos.of(() -> c.donateFdAndClunk(dir))).isEqualTo(Errno.EISDIR);
        assertThat(gofer.server.fidCount()).isEqualTo(fids);
        // The released number is free on the server: a walk may bind it again.
        assertThat(c.walk(rootFid, dir, List.of("file"))).hasSize(1);
        // Without RELEASE the fid stays.
        c.donateFd(dir).close();
        assertThat(gofer.server.fidCount()).isEqualTo(fids + 1);
        c.clunk(dir);
    }

    @Test
    void donateFdWithAnUnknownFlagIsRefusedAndTouchesNothing() throws Exception {
        var c = gofer.client;
        int file = c.walk(rootFid, "file");
        int fids = gofer.server.fidCount();
        assertThat(Errnos.of(() -> c.call(new Tmessage.DonateFd(file, 2), Rmessage.DonateFd.class)))
                .isEqualTo(Errno.EINVAL);
        assertThat(gofer.server.fidCount()).isEqualTo(fids);
        c.donateFd(file).close();
        c.clunk(file);
    }

    @Test
    void aLookupKeepsAFidOnlyForADirectoryOrARegularFile() throws Exception {
        Files.createFile(root.resolve("dir/inner"));
        ProcessBuilder mkfifo = new ProcessBuilder("mkfifo", root.resolve("fifo").toString());
        assertThat(mkfifo.start().waitFor()).isZero();
        var c = gofer.client;
        int fids = gofer.server.fidCount();

        var link = c.walkAndGetattr(rootFid, LOOKUP, "link");
        assertThat(link.fid()).isEqualTo(-1);
        assertThat(link.target()).isEqualTo("file");
        assertThat(link.attr().mode() & 0170000).isEqualTo(0120000);
        var fifo = c.walkAndGetattr(rootFid, LOOKUP, "fifo");
        assertThat(fifo.fid()).isEqualTo(-1);
        assertThat(fifo.attr().mode() & 0170000).isEqualTo(0010000);
        assertThat(gofer.server.fidCount()).isEqualTo(fids);

        var file = c.walkAndGetattr(rootFid, LOOKUP, "file");
        var dir = c.walkAndGetattr(rootFid, LOOKUP, "dir");
        assertThat(gofer.server.fidCount()).isEqualTo(fids + 2);
        assertThat(file.attr().size()).isEqualTo(12);
        assertThat(c.getattr(file.fid(), Attr.GETATTR_BASIC)).isEqualTo(file.attr());
        assertThat(c.walk(dir.fid(), "inner")).isNotNegative();
        // Not an attribute bit: the answer's mask is what a plain lookup gets.
        assertThat(file.attr().valid()).isEqualTo(c.walkAndGetattr(rootFid, Attr.GETATTR_BASIC, "file").attr().valid());
    }

    @Test
    void withoutTheBitALinkKeepsItsFidAsBefore() throws Exception {
        var c = gofer.client;
        int fids = gofer.server.fidCount();
        var link = c.walkAndGetattr(rootFid, Attr.GETATTR_BASIC, "link");
        assertThat(link.fid()).isNotNegative();
        assertThat(gofer.server.fidCount()).isEqualTo(fids + 1);
        assertThat(c.readlink(link.fid())).isEqualTo("file");
        c.clunk(link.fid());
    }

    private interface Page {
        List<DirEntry> read(long at, int count) throws ErrnoException;
    }

    private static List<DirEntry> pages(Page page, int count) throws ErrnoException {
        List<DirEntry> all = new ArrayList<>();
        long at = 0;
        while (true) {
            List<DirEntry> batch = page.read(at, count);
            if (batch.isEmpty()) return all;
            all.addAll(batch);
            at = batch.getLast().offset();
        }
    }
}
