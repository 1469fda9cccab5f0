package dev.jvisor.sentry;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** epoll and eventfd behave in the sandbox as on Linux (the program's transcript is compared with a native run). */
class EventLoopTest {
    @TempDir
    static Path dir;
    static Path rootfs;
    static String expected;

    @BeforeAll
    static void build() throws Exception {
        rootfs = SandboxRunner.busyboxRootfs(dir.resolve("rootfs"));
        Path src = dir.resolve("epoll.c");
        try (var in = EventLoopTest.class.getResourceAsStream("/programs/epoll.c")) {
            Files.write(src, in.readAllBytes());
        }
        Path bin = rootfs.resolve("bin/epoll");
        Process gcc = new ProcessBuilder("gcc", "-static", "-O1", "-o", bin.toString(), src.toString()).redirectErrorStream(true).start();
        String log = new String(gcc.getInputStream().readAllBytes());
        assertThat(gcc.waitFor()).as(log).isZero();
        Process nat = new ProcessBuilder(bin.toString()).directory(rootfs.toFile()).start();
        expected = new String(nat.getInputStream().readAllBytes());
        assertThat(nat.waitFor()).isZero();
    }

    @Test
    void epollAndEventfdMatchLinux() throws Exception {
        var r = SandboxRunner.run(rootfs, List.of("/bin/epoll"), null);
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo(expected).contains("after eventfd write: 1 event(s), data 2222");
    }
}
