package dev.jvisor.sentry;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * C programs exercising whole kernel subsystems print the same transcript in the sandbox as
 * natively: POSIX threads (tasks sharing one address space through their own stubs), epoll and
 * eventfd, and AF_UNIX sockets (pairs, fd passing between processes, path and abstract names,
 * listen/accept/connect, datagrams, shutdown and EPIPE).
 */
class NativeParityTest {
    @TempDir
    static Path dir;
    static Path rootfs;

    @BeforeAll
    static void rootfs() throws Exception {
        rootfs = SandboxRunner.busyboxRootfs(dir.resolve("rootfs"));
    }

    private static void sameAsNative(String program, String mustContain, String... gccFlags) throws Exception {
        String expected = ParityPrograms.buildAndRunNatively(rootfs, dir, program, gccFlags);
        var r = SandboxRunner.run(rootfs, List.of("/bin/" + program), null);
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo(expected).contains(mustContain);
        assertThat(r.status()).isZero();
    }

    @Test
    void threadsShareMemoryLocksAndJoinAsNatively() throws Exception {
        sameAsNative("threads", "counter 80000", "-pthread");
    }

    @Test
    void epollAndEventfdMatchLinux() throws Exception {
        sameAsNative("epoll", "after eventfd write: 1 event(s), data 2222");
    }

    @Test
    void unixSocketsMatchLinux() throws Exception {
        sameAsNative("unix_sockets", "child got an fd: yes, read through it: 8 via pipe");
    }
}
