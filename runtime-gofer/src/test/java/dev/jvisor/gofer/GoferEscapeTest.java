package dev.jvisor.gofer;

import dev.jvisor.abi.AtFlags;
import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.OpenFlags;
import dev.jvisor.p9.DirEntry;
import dev.jvisor.p9.DonatedFile;
import dev.jvisor.p9.P9Client;
import dev.jvisor.p9.SetattrRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Tries to get the contents of a marker file outside the served root through a real Gofer, in
 * every way a hostile client (or a hostile tree) could: symlinks relative and absolute, "..",
 * a symlink swapped in mid-walk, /proc magic links, hard links, and writes to a read-only mount.
 * Every file the client manages to read is checked: the marker must never come back.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GoferEscapeTest {
    @TempDir
    Path tmp;
    private Path root;
    private Path outside;
    private Path marker;
    private String secret;
    private GoferUnderTest gofer;
    private P9Client c;
    private int rootFid;

    @BeforeEach
    void start() throws Exception {
        outside = Files.createDirectories(tmp.resolve("outside"));
        secret = "MARKER-" + UUID.randomUUID();
        marker = Files.writeString(outside.resolve("passwd"), secret);
        root = Files.createDirectories(tmp.resolve("root"));
        Path ro = Files.createDirectories(tmp.resolve("ro"));
        Files.writeString(ro.resolve("keep.txt"), "read-only data");
        Files.createDirectories(ro.resolve("sub"));
        Files.writeString(root.resolve("inside.txt"), "inside");
        gofer = start(List.of(new MountPoint("/", root, false), new MountPoint("/ro", ro, true)));
        c = gofer.client();
        rootFid = gofer.attachRoot();
    }

    /** The Gofer the attacks run against; a subclass runs them against a confined child process. */
    GoferUnderTest start(List<MountPoint> mounts) throws Exception {
        return new GoferHarness(mounts);
    }

    @AfterEach
    void stop() throws Exception {
        gofer.close();
        // Remove the planted links ourselves: they point outside the temporary directory.
        try (var files = Files.walk(root)) {
            for (Path p : files.filter(Files::isSymbolicLink).toList()) {
                Files.delete(p);
            }
        }
        assertThat(Files.readString(marker)).isEqualTo(secret);
        assertThat(Files.getAttribute(marker, "unix:nlink")).isEqualTo(1);
    }

    /** Walks {@code names} and reads the file there; the marker may never be what comes back. */
    private void tryRead(int from, String... names) {
        int fid = -1;
        try {
            fid = c.walk(from, names);
            c.lopen(fid, OpenFlags.O_RDONLY);
            byte[] got = c.read(fid, 0, 4096);
            assertNotMarker(got);
        } catch (ErrnoException expected) {
            // Refused: that is the point.
        } finally {
            if (fid >= 0) {
                try {
                    c.clunk(fid);
                } catch (ErrnoException ignored) {
                    // already gone
                }
            }
        }
    }

    private void assertNotMarker(byte[] got) {
        assertThat(new String(got, StandardCharsets.UTF_8)).doesNotContain(secret);
    }

    private static Errno errno(ThrowingCall call) {
        try {
            call.run();
        } catch (ErrnoException e) {
            return e.errno();
        }
        return fail("expected an errno");
    }

    private interface ThrowingCall {
        void run() throws ErrnoException;
    }

    /** This process's open descriptor numbers. */
    private static java.util.Set<Integer> descriptors() throws IOException {
        List<Path> listed;
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            listed = fds.toList();
        }
        // Without the listing's own descriptor, closed by now (its number may come back soon).
        return new java.util.TreeSet<>(listed.stream().filter(p -> Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                .map(p -> Integer.parseInt(p.getFileName().toString())).toList());
    }

    /** The errno of lending the file at {@code names}; the walked fid is clunked again. */
    private Errno donateErrno(int from, String... names) throws ErrnoException {
        int fid = names.length == 0 ? c.walk(from) : c.walk(from, names);
        try {
            return errno(() -> c.donateFd(fid).close());
        } finally {
            c.clunk(fid);
        }
    }

    /**
     * Waits until exactly {@code expected} descriptors are open beyond {@code before} (a Gofer in
     * this JVM closes its own copy of a lent descriptor just after sending it) and returns them.
     */
    private static java.util.Set<Integer> settleTo(java.util.Set<Integer> before, int expected) throws Exception {
        java.util.Set<Integer> added = java.util.Set.of();
        for (int i = 0; i < 200; i++) {
            added = new java.util.TreeSet<>(descriptors());
            added.removeAll(before);
            if (added.size() == expected) {
                return added;
            }
            Thread.sleep(10);
        }
        return added;
    }

    /** Reads the whole lent file into memory of this process, with pread. */
    private static String readLent(DonatedFile lent) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(4096);
            long n = lent.readFully(buf, 0);
            return new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aLentDescriptorReadsTheFileButCannotWriteIt() throws Exception {
        java.util.Set<Integer> atStart = descriptors();
        int f = c.walk(rootFid, "inside.txt");
        java.util.Set<Integer> before = descriptors();   // with the fid's own (in-process Gofer)
        try (DonatedFile lent = c.donateFd(f)) {
            assertThat(lent.size()).isEqualTo(6);
            assertThat(readLent(lent)).isEqualTo("inside");
            java.util.Set<Integer> added = settleTo(before, 1);
            assertThat(added).hasSize(1);
            int fd = added.iterator().next();
            assertThat(errno(() -> Native.pwrite(fd, new byte[] {'X'}, 0))).isEqualTo(Errno.EBADF);
            assertThat(errno(() -> Native.ftruncate(fd, 0))).isIn(Errno.EBADF, Errno.EINVAL);
            String fdinfo = Files.readString(Path.of("/proc/self/fdinfo/" + fd));
            int flags = Integer.parseInt(fdinfo.lines().filter(l -> l.startsWith("flags:")).findFirst()
                    .orElseThrow().substring(6).trim(), 8);
            assertThat(flags & OpenFlags.O_ACCMODE).as("O_RDONLY").isEqualTo(OpenFlags.O_RDONLY);
            assertThat(flags & OpenFlags.O_CLOEXEC).as("O_CLOEXEC").isNotZero();
        }
        // The fid is as it was: still walkable, openable, readable.
        c.lopen(f, OpenFlags.O_RDONLY);
        assertThat(new String(c.read(f, 0, 100), StandardCharsets.UTF_8)).isEqualTo("inside");
        c.clunk(f);
        assertThat(Files.readString(root.resolve("inside.txt"))).isEqualTo("inside");
        assertThat(settleTo(atStart, 0)).as("descriptors left open").isEmpty();
    }

    @Test
    void descriptorsAreLentForRegularFilesInsideOnly() throws Exception {
        java.util.Set<Integer> before = descriptors();
        Files.createSymbolicLink(root.resolve("abs"), marker);
        Files.createSymbolicLink(root.resolve("rel"), Path.of("../outside/passwd"));
        Files.createSymbolicLink(root.resolve("absdir"), outside);
        Files.createDirectories(root.resolve("dir"));
        c.mknod(rootFid, "fifo", 0x1000 | 0644, 0, 0, 0);
        assertThat(errno(() -> c.donateFd(rootFid))).isEqualTo(Errno.EISDIR);
        assertThat(donateErrno(rootFid, "dir")).isEqualTo(Errno.EISDIR);
        // A symlink is lent as nothing: never the file it names, inside the root or out.
        assertThat(donateErrno(rootFid, "abs")).isEqualTo(Errno.ELOOP);
        assertThat(donateErrno(rootFid, "rel")).isEqualTo(Errno.ELOOP);
        assertThat(donateErrno(rootFid, "absdir")).isEqualTo(Errno.ELOOP);
        assertThat(errno(() -> c.walk(rootFid, "absdir", "passwd"))).isEqualTo(Errno.ENOENT);
        assertThat(errno(() -> c.walk(rootFid, "..", "outside", "passwd"))).isEqualTo(Errno.EINVAL);
        // A FIFO is refused before anything opens it (an open would block the Gofer's worker).
        assertThat(donateErrno(rootFid, "fifo")).isEqualTo(Errno.EPERM);
        if (Native.geteuid() == 0) {
            Process mknod = new ProcessBuilder("mknod", root.resolve("null").toString(), "c", "1", "3").start();
            assertThat(mknod.waitFor()).isZero();
            assertThat(donateErrno(rootFid, "null")).isEqualTo(Errno.EPERM);
        }
        // A read-only mount lends too: reading is all it ever allows.
        int ro = c.attach("root", "/ro", 0);
        int keep = c.walk(ro, "keep.txt");
        try (DonatedFile lent = c.donateFd(keep)) {
            assertThat(readLent(lent)).isEqualTo("read-only data");
        }
        c.clunk(keep);
        c.clunk(ro);
        assertThat(c.isOpen()).isTrue();
        assertThat(settleTo(before, 0)).as("descriptors left open").isEmpty();
    }

    @Test
    void relativeSymlinkToOutsideFileIsNotFollowed() throws Exception {
        Files.createSymbolicLink(root.resolve("passwd"), Path.of("../outside/passwd"));
        tryRead(rootFid, "passwd");
        int l = c.walk(rootFid, "passwd");
        assertThat(errno(() -> c.lopen(l, OpenFlags.O_RDONLY))).isEqualTo(Errno.ELOOP);
        // The link's own text is data the Sentry resolves inside the sandbox, not a door.
        assertThat(c.readlink(l)).isEqualTo("../outside/passwd");
    }

    @Test
    void absoluteSymlinksToOutsideFileAndDirectoryAreNotFollowed() throws Exception {
        Files.createSymbolicLink(root.resolve("abs"), marker);
        Files.createSymbolicLink(root.resolve("absdir"), outside);
        Files.createSymbolicLink(root.resolve("etc"), Path.of("/etc"));
        tryRead(rootFid, "abs");
        tryRead(rootFid, "absdir", "passwd");
        tryRead(rootFid, "etc", "passwd");
        assertThat(errno(() -> c.walk(rootFid, "absdir", "passwd"))).isEqualTo(Errno.ENOENT);
        int d = c.walk(rootFid, "absdir");
        assertThat(errno(() -> c.lopen(d, OpenFlags.O_RDONLY))).isEqualTo(Errno.ELOOP);
    }

    @Test
    void dotDotAndSlashNamesAreRefused() throws Exception {
        for (String name : List.of("..", ".", "../outside/passwd", "../../../../" + marker, "a/../..", "/")) {
            assertThat(errno(() -> c.walk(rootFid, name))).as(name).isEqualTo(Errno.EINVAL);
        }
        List<String> climb = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            climb.add("..");
        }
        assertThat(errno(() -> c.walk(rootFid, c.newFid(), climb))).isEqualTo(Errno.EINVAL);
        int d = c.walk(rootFid);
        assertThat(errno(() -> c.lcreate(d, "../escaped", OpenFlags.O_RDWR, 0644, 0))).isEqualTo(Errno.EINVAL);
        assertThat(errno(() -> c.mkdir(rootFid, "..", 0755, 0))).isEqualTo(Errno.EINVAL);
        assertThat(errno(() -> c.symlink(rootFid, "../x", "y", 0))).isEqualTo(Errno.EINVAL);
        assertThat(errno(() -> c.renameat(rootFid, "inside.txt", rootFid, "../stolen"))).isEqualTo(Errno.EINVAL);
        assertThat(errno(() -> c.unlinkat(rootFid, "../outside/passwd", 0))).isEqualTo(Errno.EINVAL);
        assertThat(Files.exists(tmp.resolve("escaped"))).isFalse();
        assertThat(Files.exists(tmp.resolve("stolen"))).isFalse();
    }

    @Test
    void procSelfRootAndMagicLinksLeadNowhere() throws Exception {
        Files.createSymbolicLink(root.resolve("viaroot"), Path.of("/proc/self/root" + marker));
        Files.createSymbolicLink(root.resolve("proc"), Path.of("/proc"));
        Files.createSymbolicLink(root.resolve("cwd"), Path.of("/proc/self/cwd"));
        Files.createSymbolicLink(root.resolve("fd"), Path.of("/proc/self/fd"));
        tryRead(rootFid, "viaroot");
        tryRead(rootFid, "proc", "self", "root", "etc", "passwd");
        tryRead(rootFid, "cwd");
        for (int fd = 0; fd < 64; fd++) {
            tryRead(rootFid, "fd", Integer.toString(fd));
        }
        assertThat(errno(() -> c.walk(rootFid, "proc", "self"))).isEqualTo(Errno.ENOENT);
    }

    @Test
    void aTreeMountedInsideTheRootIsNotCrossed() throws Exception {
        // /proc is its own mount: a walk that would cross into it (or any mount) is refused.
        GoferUnderTest procGofer = start(List.of(new MountPoint("/", Path.of("/"), true)));
        try {
            P9Client pc = procGofer.client();
            int r = procGofer.attachRoot();
            assertThat(errno(() -> pc.walk(r, "proc", "self"))).isIn(Errno.EXDEV, Errno.ENOENT);
        } finally {
            procGofer.close();
        }
    }

    @Test
    void deviceNodesInTheTreeAreNeverOpened() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Native.geteuid() == 0, "mknod of a device needs root");
        // An image can ship device nodes; opening one would reach host hardware (here: /dev/mem's
        // harmless sibling /dev/null, 1:3, which proves the point without risk).
        Process mknod = new ProcessBuilder("mknod", root.resolve("null").toString(), "c", "1", "3").start();
        assertThat(mknod.waitFor()).isZero();
        int dev = c.walk(rootFid, "null");
        assertThat(errno(() -> c.lopen(dev, OpenFlags.O_RDONLY))).isEqualTo(Errno.EPERM);
        assertThat(errno(() -> c.lopen(dev, OpenFlags.O_WRONLY))).isEqualTo(Errno.EPERM);
        assertThat(errno(() -> c.setattr(dev, SetattrRequest.truncate(0)))).isEqualTo(Errno.EINVAL);
        assertThat(errno(() -> c.mknod(rootFid, "disk", 0x6000 | 0600, 8, 0, 0))).isEqualTo(Errno.EPERM);
    }

    @Test
    void hardLinksCannotReachOutsideFiles() throws Exception {
        Files.createSymbolicLink(root.resolve("abs"), marker);
        int link = c.walk(rootFid, "abs");
        // Linking the symlink node links the symlink itself, never what it points to.
        c.link(rootFid, link, "hard");
        Path hard = root.resolve("hard");
        assertThat(Files.isSymbolicLink(hard)).isTrue();
        assertThat(Files.getAttribute(marker, "unix:nlink")).isEqualTo(1);
        tryRead(rootFid, "hard");
        // Across mounts (here: into the read-only one) a link is refused outright.
        int ro = c.attach("root", "/ro", 0);
        int inside = c.walk(rootFid, "inside.txt");
        assertThat(errno(() -> c.link(ro, inside, "x"))).isEqualTo(Errno.EROFS);
        int roFile = c.walk(ro, "keep.txt");
        assertThat(errno(() -> c.link(rootFid, roFile, "x"))).isEqualTo(Errno.EXDEV);
        assertThat(Files.exists(root.resolve("x"))).isFalse();
    }

    @Test
    void readOnlyMountRefusesEveryChange() throws Exception {
        int ro = c.attach("root", "/ro", 0);
        int f = c.walk(ro, "keep.txt");
        for (int flags : new int[] {OpenFlags.O_WRONLY, OpenFlags.O_RDWR, OpenFlags.O_RDONLY | OpenFlags.O_TRUNC,
                OpenFlags.O_WRONLY | OpenFlags.O_APPEND}) {
            assertThat(errno(() -> c.lopen(f, flags))).as("flags %x", flags).isEqualTo(Errno.EROFS);
        }
        assertThat(errno(() -> c.setattr(f, SetattrRequest.truncate(0)))).isEqualTo(Errno.EROFS);
        assertThat(errno(() -> c.setattr(f, SetattrRequest.chmod(0777)))).isEqualTo(Errno.EROFS);
        assertThat(errno(() -> c.remove(c.walk(ro, "keep.txt")))).isEqualTo(Errno.EROFS);
        int d = c.walk(ro);
        assertThat(errno(() -> c.lcreate(d, "new", OpenFlags.O_RDWR, 0644, 0))).isEqualTo(Errno.EROFS);
        assertThat(errno(() -> c.mkdir(ro, "dir", 0755, 0))).isEqualTo(Errno.EROFS);
        assertThat(errno(() -> c.mknod(ro, "fifo", 0x1000 | 0644, 0, 0, 0))).isEqualTo(Errno.EROFS);
        assertThat(errno(() -> c.symlink(ro, "sl", "keep.txt", 0))).isEqualTo(Errno.EROFS);
        assertThat(errno(() -> c.renameat(ro, "keep.txt", ro, "moved"))).isEqualTo(Errno.EROFS);
        assertThat(errno(() -> c.unlinkat(ro, "keep.txt", 0))).isEqualTo(Errno.EROFS);
        assertThat(errno(() -> c.unlinkat(ro, "sub", AtFlags.AT_REMOVEDIR))).isEqualTo(Errno.EROFS);
        int x = c.walk(ro, "keep.txt");
        assertThat(errno(() -> c.xattrCreate(x, "user.a", 1, 0))).isEqualTo(Errno.EROFS);
        // Reading is still fine.
        c.lopen(f, OpenFlags.O_RDONLY);
        assertThat(new String(c.read(f, 0, 100), StandardCharsets.UTF_8)).isEqualTo("read-only data");
        assertThat(errno(() -> c.write(f, 0, new byte[] {1}))).isEqualTo(Errno.EROFS);
        assertThat(Files.readString(tmp.resolve("ro/keep.txt"))).isEqualTo("read-only data");
        assertThat(Files.exists(tmp.resolve("ro/sub"))).isTrue();
    }

    @Test
    void symlinkSwappedInDuringWalksNeverLeaks() throws Exception {
        Path swap = Files.createDirectories(root.resolve("swap"));
        Files.writeString(swap.resolve("passwd"), "decoy");
        Path parked = root.resolve("parked");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger swaps = new AtomicInteger();
        Thread attacker = new Thread(() -> {
            while (!stop.get()) {
                try {
                    Files.move(swap, parked, StandardCopyOption.ATOMIC_MOVE);
                    Files.createSymbolicLink(swap, outside);
                    Files.delete(swap);
                    Files.move(parked, swap, StandardCopyOption.ATOMIC_MOVE);
                    swaps.incrementAndGet();
                } catch (IOException e) {
                    // A lost race with itself; try again.
                }
            }
        }, "symlink-swapper");
        attacker.start();
        int attempts = 0;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        try {
            while (System.nanoTime() < end) {
                tryRead(rootFid, "swap", "passwd");
                int d = -1;
                try {
                    d = c.walk(rootFid, "swap");
                    c.lopen(d, OpenFlags.O_RDONLY);
                    for (DirEntry e : c.readdir(d, 0, 8192)) {
                        tryRead(d, e.name());
                    }
                } catch (ErrnoException raced) {
                    // The swap won this round.
                } finally {
                    if (d >= 0) {
                        try {
                            c.clunk(d);
                        } catch (ErrnoException ignored) {
                            // already gone
                        }
                    }
                }
                attempts++;
            }
        } finally {
            stop.set(true);
            attacker.join();
        }
        assertThat(swaps.get()).isPositive();
        assertThat(attempts).isGreaterThan(100);
    }

    @Test
    void renamesByTheClientStayInside() throws Exception {
        Files.createSymbolicLink(root.resolve("out"), outside);
        int out = c.walk(rootFid, "out");
        // A symlink fid is not a directory: nothing can be moved "into" it.
        assertThat(errno(() -> c.renameat(rootFid, "inside.txt", out, "stolen"))).isEqualTo(Errno.ENOTDIR);
        assertThat(errno(() -> c.lcreate(out, "planted", OpenFlags.O_RDWR, 0644, 0))).isEqualTo(Errno.ENOTDIR);
        assertThat(errno(() -> c.mkdir(out, "planted", 0755, 0))).isEqualTo(Errno.ENOTDIR);
        assertThat(Files.list(outside).map(p -> p.getFileName().toString()).toList()).containsExactly("passwd");
    }
}
