package dev.jvisor.sentry.fs;

import dev.jvisor.sentry.SandboxRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Busybox over a rootfs served by a real Gofer child process, with and without the memory overlay. */
class GoferRootTest {
    @TempDir
    Path dir;

    private SandboxRunner.Result sh(Path rootfs, String script) throws Exception {
        return SandboxRunner.run(rootfs, List.of("/bin/sh", "-c", script), null);
    }

    @Test
    void busyboxReadsTheTreeThroughTheGofer() throws Exception {
        Path root = SandboxRunner.busyboxRootfs(dir.resolve("root"));
        Files.writeString(root.resolve("etc/motd"), "served over 9P\n");
        SandboxRunner.Result r = sh(root, "cat /etc/motd; ls /etc; find /etc -type f | sort; "
                + "tar -cf /tmp/etc.tar /etc 2>/dev/null && tar -tf /tmp/etc.tar | sort; readlink /bin/ls");
        assertThat(r.err()).isEmpty();
        assertThat(r.status()).isZero();
        assertThat(r.out()).isEqualTo("served over 9P\n" + "group\nmotd\npasswd\n"
                + "/etc/group\n/etc/motd\n/etc/passwd\n" + "etc/\netc/group\netc/motd\netc/passwd\n" + "busybox\n");
    }

    @Test
    void writesStayInTheOverlayAndNeverReachTheHost() throws Exception {
        Path root = SandboxRunner.busyboxRootfs(dir.resolve("root"));
        String passwd = Files.readString(root.resolve("etc/passwd"));
        SandboxRunner.Result r = sh(root, "echo fresh > /etc/new && echo extra >> /etc/passwd && mkdir -p /data/sub "
                + "&& ln -s /etc/new /data/link && mv /etc/group /etc/group.moved && cat /etc/new /data/link && tail -1 /etc/passwd "
                + "&& ls /etc");
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("fresh\nfresh\nextra\n" + "group.moved\nnew\npasswd\n");
        assertThat(root.resolve("etc/new")).doesNotExist();
        assertThat(root.resolve("data")).doesNotExist();
        assertThat(root.resolve("etc/group")).exists();
        assertThat(root.resolve("etc/group.moved")).doesNotExist();
        assertThat(Files.readString(root.resolve("etc/passwd"))).isEqualTo(passwd);
    }

    @Test
    void whiteoutsHideDeletedLowerFiles() throws Exception {
        Path root = SandboxRunner.busyboxRootfs(dir.resolve("root"));
        Files.createDirectories(root.resolve("srv/tree/deep"));
        Files.writeString(root.resolve("srv/tree/deep/file"), "x");
        SandboxRunner.Result r = sh(root, "rm /etc/group && rm -r /srv/tree && ls /etc /srv; "
                + "cat /etc/group 2>&1; test -e /srv/tree || echo gone; echo again > /etc/group && cat /etc/group");
        assertThat(r.out()).isEqualTo("/etc:\npasswd\n\n/srv:\n" + "cat: can't open '/etc/group': No such file or directory\n"
                + "gone\nagain\n");
        assertThat(root.resolve("etc/group")).hasContent("root:x:0:");
        assertThat(root.resolve("srv/tree/deep/file")).hasContent("x");
    }

    @Test
    void copyUpPreservesContentAndMode() throws Exception {
        Path root = SandboxRunner.busyboxRootfs(dir.resolve("root"));
        Path f = root.resolve("etc/config");
        Files.writeString(f, "line one\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
        SandboxRunner.Result r = sh(root, "stat -c %a /etc/config; echo line two >> /etc/config; stat -c '%a %s' /etc/config; "
                + "cat /etc/config; chmod 600 /etc/config; stat -c %a /etc/config");
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("640\n640 18\nline one\nline two\n600\n");
        assertThat(f).hasContent("line one");
        assertThat(Files.getPosixFilePermissions(f)).isEqualTo(PosixFilePermissions.fromString("rw-r-----"));
    }

    @Test
    void withTheOverlayOffWritesReachTheHostDirectory() throws Exception {
        Path root = SandboxRunner.busyboxRootfs(dir.resolve("root"));
        Files.writeString(root.resolve("etc/state"), "old\n");
        Files.writeString(root.resolve("etc/doomed"), "bye\n");
        Files.writeString(root.resolve("etc/renamed"), "moving\n");
        SandboxRunner.Result r = SandboxRunner.run(root, List.of("/bin/sh", "-c",
                "echo new > /etc/state && mkdir /made && mkdir /made/sub && mv /made /moved && rm /etc/doomed "
                + "&& ln -s state /etc/alias && chmod 600 /etc/state && mv /etc/renamed /moved/sub/here "
                + "&& cat /etc/alias /moved/sub/here && ls /moved/sub"), null, false, false);
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("new\nmoving\nhere\n");
        assertThat(root.resolve("etc/state")).hasContent("new");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("etc/state")))).isEqualTo("rw-------");
        assertThat(root.resolve("made")).doesNotExist();
        assertThat(root.resolve("moved/sub/here")).hasContent("moving");
        assertThat(root.resolve("etc/renamed")).doesNotExist();
        assertThat(root.resolve("etc/doomed")).doesNotExist();
        assertThat(Files.readSymbolicLink(root.resolve("etc/alias")).toString()).isEqualTo("state");
    }

    @Test
    void withTheOverlayOffNewFilesAreCreatedOnTheHost() throws Exception {
        Path root = SandboxRunner.busyboxRootfs(dir.resolve("root"));
        SandboxRunner.Result r = SandboxRunner.run(root, List.of("/bin/sh", "-c",
                "umask 027 && echo brand new > /etc/brand-new && echo more >> /etc/brand-new && cat /etc/brand-new"),
                null, false, false);
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("brand new\nmore\n");
        assertThat(root.resolve("etc/brand-new")).hasContent("brand new\nmore");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("etc/brand-new")))).isEqualTo("rw-r-----");
    }
}
