package dev.jvisor.gofer;

import dev.jvisor.abi.AtFlags;
import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.FileMode;
import dev.jvisor.abi.OpenFlags;
import dev.jvisor.p9.Attr;
import dev.jvisor.p9.DirEntry;
import dev.jvisor.p9.LockConstants;
import dev.jvisor.p9.Qid;
import dev.jvisor.p9.Rmessage;
import dev.jvisor.p9.SetattrRequest;
import dev.jvisor.p9.StatFs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** File operations through a real client, a real server and the host filesystem. */
class GoferFunctionalTest {
    @TempDir
    Path root;
    private GoferHarness gofer;
    private int rootFid;

    @BeforeEach
    void start() throws Exception {
        Files.writeString(root.resolve("hello.txt"), "hello, world");
        Files.createDirectories(root.resolve("dir/sub"));
        gofer = new GoferHarness(List.of(new MountPoint("/", root, false)));
        rootFid = gofer.attachRoot();
    }

    @AfterEach
    void stop() throws Exception {
        gofer.close();
    }

    private static ErrnoException errnoOf(Throwable t) {
        return (ErrnoException) t;
    }

    @Test
    void walkGetattrAnswersAttributesAndALinksTargetInOneReply() throws Exception {
        Files.createSymbolicLink(root.resolve("dir/link"), Path.of("../hello.txt"));
        var c = gofer.client;
        var file = c.walkAndGetattr(rootFid, dev.jvisor.p9.Attr.GETATTR_BASIC, "hello.txt");
        assertThat(file.attr().size()).isEqualTo(12);
        assertThat(file.target()).isEmpty();
        var link = c.walkAndGetattr(rootFid, dev.jvisor.p9.Attr.GETATTR_BASIC, "dir", "link");
        assertThat(link.attr().mode() & 0170000).isEqualTo(0120000);
        assertThat(link.target()).isEqualTo("../hello.txt").isEqualTo(c.readlink(link.fid()));
        var dir = c.walkAndGetattr(rootFid, dev.jvisor.p9.Attr.GETATTR_BASIC, "dir", "sub");
        assertThat(dir.attr().qid().isDirectory()).isTrue();
        assertThatThrownBy(() -> c.walkAndGetattr(rootFid, dev.jvisor.p9.Attr.GETATTR_BASIC, "dir", "absent"))
                .isInstanceOf(ErrnoException.class);
        for (int fid : new int[] {file.fid(), link.fid(), dir.fid()}) c.clunk(fid);
    }

    @Test
    void readsAnExistingFile() throws Exception {
        var c = gofer.client;
        int f = c.walk(rootFid, "hello.txt");
        c.lopen(f, OpenFlags.O_RDONLY);
        assertThat(new String(c.read(f, 0, 100), StandardCharsets.UTF_8)).isEqualTo("hello, world");
        assertThat(new String(c.read(f, 7, 100), StandardCharsets.UTF_8)).isEqualTo("world");
        assertThat(c.read(f, 100, 10)).isEmpty();
        c.clunk(f);
    }

    @Test
    void createsWritesAndReadsBack() throws Exception {
        var c = gofer.client;
        int dir = c.walk(rootFid, "dir");
        Rmessage.Lcreate created = c.lcreate(dir, "new.bin", OpenFlags.O_RDWR, 0640, 0);
        assertThat(created.qid().type()).isEqualTo(Qid.QTFILE);
        byte[] data = new byte[10_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        assertThat(c.write(dir, 0, data)).isEqualTo(data.length);
        assertThat(c.read(dir, 0, data.length)).isEqualTo(data);
        c.fsync(dir, false);
        c.fsync(dir, true);
        c.clunk(dir);
        assertThat(Files.readAllBytes(root.resolve("dir/new.bin"))).isEqualTo(data);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("dir/new.bin"))))
                .isEqualTo("rw-r-----");
        int again = c.walk(rootFid, "dir");
        assertThatThrownBy(() -> c.lcreate(again, "new.bin", OpenFlags.O_RDWR, 0644, 0))
                .satisfies(t -> assertThat(errnoOf(t).errno()).isEqualTo(Errno.EEXIST));
    }

    @Test
    void walksReportQidsAndStopEarly() throws Exception {
        var c = gofer.client;
        int nf = c.newFid();
        List<Qid> qids = c.walk(rootFid, nf, List.of("dir", "sub"));
        assertThat(qids).hasSize(2).allMatch(Qid::isDirectory);
        c.clunk(nf);
        int partial = c.newFid();
        assertThat(c.walk(rootFid, partial, List.of("dir", "missing", "x"))).hasSize(1);
        // A partial walk binds nothing to newfid.
        assertThatThrownBy(() -> c.getattr(partial, Attr.GETATTR_BASIC))
                .satisfies(t -> assertThat(errnoOf(t).errno()).isEqualTo(Errno.EBADF));
        assertThatThrownBy(() -> c.walk(rootFid, "missing"))
                .satisfies(t -> assertThat(errnoOf(t).errno()).isEqualTo(Errno.ENOENT));
        assertThatThrownBy(() -> c.walk(rootFid, "hello.txt", "below"))
                .satisfies(t -> assertThat(errnoOf(t).errno()).isEqualTo(Errno.ENOENT));
    }

    @Test
    void getattrMatchesTheHost() throws Exception {
        var c = gofer.client;
        int f = c.walk(rootFid, "hello.txt");
        Attr a = c.getattr(f, Attr.GETATTR_ALL);
        assertThat(a.size()).isEqualTo(12);
        assertThat(FileMode.isRegular(a.mode())).isTrue();
        assertThat(a.nlink()).isEqualTo(1);
        assertThat(a.mtimeSec()).isEqualTo(Files.getLastModifiedTime(root.resolve("hello.txt")).toInstant().getEpochSecond());
        assertThat(FileMode.isDirectory(c.getattr(rootFid, Attr.GETATTR_BASIC).mode())).isTrue();
    }

    @Test
    void setattrChangesModeSizeAndTimes() throws Exception {
        var c = gofer.client;
        int f = c.walk(rootFid, "hello.txt");
        c.setattr(f, SetattrRequest.chmod(0600));
        assertThat(c.getattr(f, Attr.GETATTR_BASIC).mode() & 0777).isEqualTo(0600);
        c.setattr(f, SetattrRequest.truncate(5));
        assertThat(Files.readString(root.resolve("hello.txt"))).isEqualTo("hello");
        c.setattr(f, new SetattrRequest(SetattrRequest.ATTR_MTIME | SetattrRequest.ATTR_MTIME_SET, 0, 0, 0, 0,
                0, 0, 1_000_000_000L, 5));
        Attr a = c.getattr(f, Attr.GETATTR_BASIC);
        assertThat(a.mtimeSec()).isEqualTo(1_000_000_000L);
        assertThat(a.mtimeNsec()).isEqualTo(5);
        int d = c.walk(rootFid, "dir");
        assertThatThrownBy(() -> c.setattr(d, SetattrRequest.truncate(0)))
                .satisfies(t -> assertThat(errnoOf(t).errno()).isEqualTo(Errno.EISDIR));
    }

    @Test
    void mkdirSymlinkReadlinkRenameUnlink() throws Exception {
        var c = gofer.client;
        int d = c.walk(rootFid, "dir");
        assertThat(c.mkdir(d, "made", 0755, 0).isDirectory()).isTrue();
        assertThat(Files.isDirectory(root.resolve("dir/made"))).isTrue();
        assertThat(c.symlink(d, "link", "../hello.txt", 0).isSymlink()).isTrue();
        int l = c.walk(d, "link");
        assertThat(c.readlink(l)).isEqualTo("../hello.txt");
        assertThatThrownBy(() -> c.lopen(l, OpenFlags.O_RDONLY))
                .satisfies(t -> assertThat(errnoOf(t).errno()).isEqualTo(Errno.ELOOP));
        c.renameat(rootFid, "hello.txt", d, "moved.txt");
        assertThat(Files.exists(root.resolve("hello.txt"))).isFalse();
        assertThat(Files.readString(root.resolve("dir/moved.txt"))).isEqualTo("hello, world");
        c.unlinkat(d, "moved.txt", 0);
        assertThat(Files.exists(root.resolve("dir/moved.txt"))).isFalse();
        assertThatThrownBy(() -> c.unlinkat(d, "made", 0))
                .satisfies(t -> assertThat(errnoOf(t).errno()).isEqualTo(Errno.EISDIR));
        c.unlinkat(d, "made", AtFlags.AT_REMOVEDIR);
        assertThat(Files.exists(root.resolve("dir/made"))).isFalse();
    }

    @Test
    void removeDeletesTheFileAndClunks() throws Exception {
        var c = gofer.client;
        int f = c.walk(rootFid, "hello.txt");
        c.remove(f);
        assertThat(Files.exists(root.resolve("hello.txt"))).isFalse();
        assertThatThrownBy(() -> c.remove(rootFid))
                .satisfies(t -> assertThat(errnoOf(t).errno()).isEqualTo(Errno.EBUSY));
    }

    @Test
    void hardLinksInsideTheTree() throws Exception {
        var c = gofer.client;
        int f = c.walk(rootFid, "hello.txt");
        int d = c.walk(rootFid, "dir");
        c.link(d, f, "hard");
        assertThat(Files.isSameFile(root.resolve("hello.txt"), root.resolve("dir/hard"))).isTrue();
        assertThat(c.getattr(f, Attr.GETATTR_BASIC).nlink()).isEqualTo(2);
    }

    @Test
    void readdirPagesThroughAThousandEntries() throws Exception {
        Path big = Files.createDirectory(root.resolve("big"));
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String n = "entry-" + i;
            Files.createFile(big.resolve(n));
            expected.add(n);
        }
        List<String> seen = new ArrayList<>();
        for (DirEntry e : readdirAll("big", 2048)) {
            seen.add(e.name());
            assertThat(e.type()).isEqualTo(DirEntry.DT_REG);
        }
        assertThat(seen).hasSize(1000).doesNotContain(".", "..");
        assertThat(new HashSet<>(seen)).isEqualTo(expected);
    }

    @Test
    void readdirReturnsNamesOfEveryLengthAndEncodingWithTheirTypes() throws Exception {
        Path dir = Files.createDirectory(root.resolve("names"));
        Map<String, Integer> expected = new HashMap<>();
        // Every name length up to NAME_MAX, so records of every padding follow each other.
        for (int len = 1; len <= 255; len++) {
            String n = "n" + "x".repeat(len - 1);
            if (len % 3 == 0) {
                Files.createDirectory(dir.resolve(n));
                expected.put(n, DirEntry.DT_DIR);
            } else if (len % 3 == 1) {
                Files.createFile(dir.resolve(n));
                expected.put(n, DirEntry.DT_REG);
            } else {
                Files.createSymbolicLink(dir.resolve(n), Path.of("/nowhere"));
                expected.put(n, DirEntry.DT_LNK);
            }
        }
        String utf8 = "gr\u00fc\u00dfe-\u65e5\u672c-\ud83d\ude00"; // multi-byte UTF-8, a 4-byte code point
        Files.createFile(dir.resolve(utf8));
        expected.put(utf8, DirEntry.DT_REG);
        Map<String, Integer> seen = new HashMap<>();
        for (DirEntry e : readdirAll("names", 4096)) {
            assertThat(seen.put(e.name(), e.type())).as("listed twice: %s", e.name()).isNull();
        }
        assertThat(seen).isEqualTo(expected);
    }

    /** Every entry of directory {@code name} under the root, read in Treaddir pages of {@code count} bytes. */
    private List<DirEntry> readdirAll(String name, int count) throws Exception {
        var c = gofer.client;
        int d = c.walk(rootFid, name);
        c.lopen(d, OpenFlags.O_RDONLY);
        List<DirEntry> all = new ArrayList<>();
        long offset = 0;
        while (true) {
            List<DirEntry> page = c.readdir(d, offset, count);
            if (page.isEmpty()) {
                return all;
            }
            all.addAll(page);
            offset = page.getLast().offset();
        }
    }

    @Test
    void statfsReportsTheHostFilesystem() throws Exception {
        StatFs s = gofer.client.statfs(rootFid);
        assertThat(s.bsize()).isPositive();
        assertThat(s.namelen()).isEqualTo(255);
        assertThat(s.blocks()).isPositive();
    }

    @Test
    void locksAreExclusiveBetweenOpenFiles() throws Exception {
        var c = gofer.client;
        int a = c.walk(rootFid, "hello.txt");
        int b = c.walk(rootFid, "hello.txt");
        c.lopen(a, OpenFlags.O_RDWR);
        c.lopen(b, OpenFlags.O_RDWR);
        assertThat(c.lock(a, LockConstants.TYPE_WRLCK, 0, 0, 0, 1, "a")).isEqualTo(LockConstants.LOCK_SUCCESS);
        assertThat(c.lock(b, LockConstants.TYPE_WRLCK, 0, 0, 0, 2, "b")).isEqualTo(LockConstants.LOCK_BLOCKED);
        Rmessage.GetLock conflict = c.getlock(b, LockConstants.TYPE_RDLCK, 0, 0, 2, "b");
        assertThat(conflict.type()).isEqualTo(LockConstants.TYPE_WRLCK);
        assertThat(c.lock(a, LockConstants.TYPE_UNLCK, 0, 0, 0, 1, "a")).isEqualTo(LockConstants.LOCK_SUCCESS);
        assertThat(c.getlock(b, LockConstants.TYPE_WRLCK, 0, 0, 2, "b").type()).isEqualTo(LockConstants.TYPE_UNLCK);
        assertThat(c.lock(b, LockConstants.TYPE_WRLCK, 0, 0, 0, 2, "b")).isEqualTo(LockConstants.LOCK_SUCCESS);
    }

    @Test
    void userXattrsRoundTripAndOthersAreRefused() throws Exception {
        var c = gofer.client;
        int f = c.walk(rootFid, "hello.txt");
        int w = c.walk(f);
        byte[] value = "blue".getBytes(StandardCharsets.UTF_8);
        c.xattrCreate(w, "user.colour", value.length, 0);
        c.write(w, 0, value);
        c.clunk(w);
        int r = c.newFid();
        assertThat(c.xattrWalk(f, r, "user.colour")).isEqualTo(4);
        assertThat(c.read(r, 0, 100)).isEqualTo(value);
        c.clunk(r);
        int list = c.newFid();
        long size = c.xattrWalk(f, list, "");
        assertThat(new String(c.read(list, 0, (int) size), StandardCharsets.UTF_8)).isEqualTo("user.colour\0");
        int s = c.walk(f);
        assertThatThrownBy(() -> c.xattrCreate(s, "security.capability", 4, 0))
                .satisfies(t -> assertThat(errnoOf(t).errno()).isEqualTo(Errno.EPERM));
    }

    @Test
    void mknodMakesFifosButNeverDevices() throws Exception {
        var c = gofer.client;
        Qid q = c.mknod(rootFid, "fifo", FileMode.S_IFIFO | 0600, 0, 0, 0);
        assertThat(q.type()).isEqualTo(Qid.QTFILE);
        assertThat(Files.exists(root.resolve("fifo"))).isTrue();
        assertThatThrownBy(() -> c.mknod(rootFid, "null", FileMode.S_IFCHR | 0666, 1, 3, 0))
                .satisfies(t -> assertThat(errnoOf(t).errno()).isEqualTo(Errno.EPERM));
        assertThat(Files.exists(root.resolve("null"))).isFalse();
        // A FIFO is never opened by the Gofer: it could hold a worker forever.
        int fifo = c.walk(rootFid, "fifo");
        assertThatThrownBy(() -> c.lopen(fifo, OpenFlags.O_RDONLY))
                .satisfies(t -> assertThat(errnoOf(t).errno()).isEqualTo(Errno.EPERM));
    }

    @Test
    void createdFilesBelongToTheSandboxUser() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Native.geteuid() == 0, "only root can give files away");
        var c = gofer.client;
        int asUser = c.attach("user", "/", 4321);
        int d = c.walk(asUser);
        c.lcreate(d, "mine", OpenFlags.O_RDWR, 0600, 1234);
        c.mkdir(asUser, "mydir", 0700, 1234);
        c.symlink(asUser, "mylink", "mine", 1234);
        c.mknod(asUser, "myfifo", FileMode.S_IFIFO | 0600, 0, 0, 1234);
        for (String n : List.of("mine", "mydir", "mylink", "myfifo")) {
            Path p = root.resolve(n);
            assertThat(Files.getAttribute(p, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS)).as(n).isEqualTo(4321);
            assertThat(Files.getAttribute(p, "unix:gid", java.nio.file.LinkOption.NOFOLLOW_LINKS)).as(n).isEqualTo(1234);
        }
    }

    @Test
    void fidRulesAreEnforced() throws Exception {
        var c = gofer.client;
        int f = c.walk(rootFid, "hello.txt");
        assertThatThrownBy(() -> c.read(f, 0, 10))
                .satisfies(t -> assertThat(errnoOf(t).errno()).isEqualTo(Errno.EBADF));
        c.lopen(f, OpenFlags.O_RDONLY);
        assertThatThrownBy(() -> c.lopen(f, OpenFlags.O_RDONLY))
                .satisfies(t -> assertThat(errnoOf(t).errno()).isEqualTo(Errno.EBADF));
        c.clunk(f);
        assertThatThrownBy(() -> c.read(f, 0, 10))
                .satisfies(t -> assertThat(errnoOf(t).errno()).isEqualTo(Errno.EBADF));
        assertThatThrownBy(() -> c.walk(rootFid, ".."))
                .satisfies(t -> assertThat(errnoOf(t).errno()).isEqualTo(Errno.EINVAL));
        assertThat(gofer.server.fidCount()).isEqualTo(1);
    }
}
