package dev.jvisor.sentry;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        expected = ParityPrograms.buildAndRunNatively(rootfs, dir, "epoll");
    }

    @Test
    void epollAndEventfdMatchLinux() throws Exception {
        var r = SandboxRunner.run(rootfs, List.of("/bin/epoll"), null);
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo(expected).contains("after eventfd write: 1 event(s), data 2222");
    }
}
