package dev.jvisor.gofer;

import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.OpenFlags;
import dev.jvisor.p9.Attr;
import dev.jvisor.p9.DirEntry;
import dev.jvisor.p9.LockConstants;
import dev.jvisor.p9.P9Client;
import dev.jvisor.p9.SetattrRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Gofer as runsc runs it: a separate, confined process serving a directory over a socket.
 * Checks that it really is confined (chrooted, seccomp on) and still serves every operation.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GoferProcessTest {
    @TempDir
    Path tmp;

    @Test
    void aConfinedGoferServesFilesAndExitsWhenTheSentryHangsUp() throws Exception {
        assumeTrue(Native.geteuid() == 0, "needs root: pidfd_getfd and chroot");
        Path root = Files.createDirectories(tmp.resolve("rootfs"));
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path outside = Files.writeString(tmp.resolve("secret"), "OUTSIDE-SECRET");
        Files.writeString(root.resolve("etc-hostname"), "sandbox\n");
        Files.createSymbolicLink(root.resolve("escape"), outside);
        Files.writeString(data.resolve("ro.txt"), "mounted");

        ConfinedGofer gofer = new ConfinedGofer(List.of(new MountPoint("/", root, false),
                new MountPoint("/data", data, true)), tmp.resolve("gofer.log"));
        try {
            P9Client c = gofer.client();
            int r = c.attach("root", "/", 0);
            int f = c.walk(r, "etc-hostname");
            c.lopen(f, OpenFlags.O_RDONLY);
            assertThat(new String(c.read(f, 0, 100), StandardCharsets.UTF_8)).isEqualTo("sandbox\n");
            assertConfined(gofer.pid(), root);

            int d = c.walk(r);
            c.lcreate(d, "written", OpenFlags.O_RDWR, 0644, 0);
            c.write(d, 0, "from the sandbox".getBytes(StandardCharsets.UTF_8));
            c.fsync(d, false);
            assertThat(c.lock(d, LockConstants.TYPE_WRLCK, 0, 0, 0, 1, "x")).isEqualTo(LockConstants.LOCK_SUCCESS);
            c.setattr(d, SetattrRequest.truncate(4));
            assertThat(Files.readString(root.resolve("written"))).isEqualTo("from");
            c.mkdir(r, "dir", 0755, 0);
            c.symlink(r, "link", "written", 0);
            assertThat(c.readlink(c.walk(r, "link"))).isEqualTo("written");
            c.renameat(r, "written", r, "renamed");
            int list = c.walk(r);
            c.lopen(list, OpenFlags.O_RDONLY);
            assertThat(c.readdir(list, 0, 8192).stream().map(DirEntry::name))
                    .contains("etc-hostname", "renamed", "dir", "link", "escape");
            c.unlinkat(r, "renamed", 0);
            assertThat(c.statfs(r).bsize()).isPositive();
            assertThat(c.getattr(r, Attr.GETATTR_BASIC).mode() & 0xF000).isEqualTo(0x4000);

            int esc = c.walk(r, "escape");
            assertThatThrownBy(() -> c.lopen(esc, OpenFlags.O_RDONLY)).isInstanceOf(ErrnoException.class);

            int m = c.attach("root", "/data", 0);
            int ro = c.walk(m, "ro.txt");
            c.lopen(ro, OpenFlags.O_RDONLY);
            assertThat(new String(c.read(ro, 0, 100), StandardCharsets.UTF_8)).isEqualTo("mounted");
            assertThatThrownBy(() -> c.mkdir(m, "x", 0755, 0)).isInstanceOf(ErrnoException.class);
        } finally {
            gofer.close();   // hangs up, then checks the Gofer exited 0
        }
    }

    @Test
    void aGoferThatDiesAtStartFailsTheTestInsteadOfHangingIt() throws Exception {
        assumeTrue(Native.geteuid() == 0, "needs root: pidfd_getfd and chroot");
        Path missing = tmp.resolve("no-such-rootfs");
        long began = System.nanoTime();
        // This JVM still holds the child's end of the socketpair: without the watchdog the
        // handshake would wait for an end of file that never comes.
        assertThatThrownBy(() -> new ConfinedGofer(List.of(new MountPoint("/", missing, false)), tmp.resolve("dead.log")))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("exited with status")
                .hasMessageContaining("before answering Tversion");
        assertThat(System.nanoTime() - began).isLessThan(ConfinedGofer.HANDSHAKE_WAIT.toNanos());
    }

    /** The child's /proc entry shows a seccomp filter and a root directory that is the rootfs. */
    private static void assertConfined(long pid, Path root) throws Exception {
        String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
        // "Seccomp: 2" is SECCOMP_MODE_FILTER; every thread got it through TSYNC.
        assertThat(status).containsPattern("(?m)^Seccomp:\\s+2$");
        assertThat(status).containsPattern("(?m)^NoNewPrivs:\\s+1$");
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks.toList()) {
                assertThat(Files.readString(t.resolve("status"))).containsPattern("(?m)^Seccomp:\\s+2$");
            }
        }
        assertThat(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "root")))
                .isEqualTo(root.toRealPath());
    }

    @Test
    void aForbiddenSystemCallKillsTheProcess() throws Exception {
        Process p = ChildJvm.start(tmp.resolve("killed.log"), SeccompProbe.class, List.of("killed"));
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        // 128 + SIGSYS (31): killed by the filter before ptrace could run.
        assertThat(p.exitValue()).as(Files.readString(tmp.resolve("killed.log"))).isEqualTo(128 + 31);
    }

    @Test
    void anUnlistedSystemCallFailsWithEperm() throws Exception {
        Process p = ChildJvm.start(tmp.resolve("denied.log"), SeccompProbe.class, List.of("denied"));
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(tmp.resolve("denied.log"))).isZero();
    }

    @Test
    void theCallsTheGoferNeedsStillWork() throws Exception {
        Process p = ChildJvm.start(tmp.resolve("allowed.log"), SeccompProbe.class, List.of("allowed"));
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(tmp.resolve("allowed.log"))).isZero();
    }
}
