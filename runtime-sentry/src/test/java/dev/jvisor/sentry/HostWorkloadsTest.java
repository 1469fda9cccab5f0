package dev.jvisor.sentry;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Debian's own programs over the host root (read-only through the Gofer, memory overlay on top):
 * python3 with threads, subprocesses, socket pairs and a multiprocessing pool; sqlite3; gcc
 * compiling, linking and running a program. Each output is compared with the same command run
 * natively.
 */
class HostWorkloadsTest {
    private static final String PYTHON = "/usr/bin/python3";

    @BeforeAll
    static void needsTools() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of(PYTHON)), "python3 is not installed at " + PYTHON);
    }

    private static String nativeRun(List<String> argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    private static void sameAsNative(List<String> argv) throws Exception {
        String expected = nativeRun(argv);
        SandboxRunner.Result r = SandboxRunner.run(null, argv, null);
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo(expected);
        assertThat(r.status()).isZero();
    }

    /**
     * Issue 8's first workload, and more: listings of host directories, with sizes, blocks, link
     * counts and times, exactly as Linux shows them (symlinks, hard links, files the listing's own
     * name lookups read through /etc/passwd and /etc/group).
     */
    @Test
    void longListingsOfHostDirectoriesMatchLinux() throws Exception {
        sameAsNative(List.of("/bin/sh", "-c", "ls -la /usr/bin | head"));
        for (String dir : List.of("/usr/bin", "/etc", "/usr/lib/x86_64-linux-gnu")) {
            sameAsNative(List.of("/bin/ls", "-las", "--time-style=full-iso", dir));
        }
    }

    @Test
    void pythonThreadsSubprocessesAndSocketPairs() throws Exception {
        sameAsNative(List.of(PYTHON, "-c", """
                import threading, subprocess, socket, json
                out = []
                ts = [threading.Thread(target=lambda i=i: out.append(i * i)) for i in range(4)]
                [t.start() for t in ts]; [t.join() for t in ts]
                print("threads", sorted(out))
                print("subprocess", subprocess.run(["echo", "hi"], capture_output=True, text=True).stdout.strip())
                a, b = socket.socketpair(); a.send(b"x"); print("socketpair", b.recv(1))
                print("json", json.dumps({"a": [1, 2]}, sort_keys=True))
                """));
    }

    @Test
    void pythonMultiprocessingPoolAndSqlite() throws Exception {
        sameAsNative(List.of(PYTHON, "-c", """
                import multiprocessing, sqlite3
                with multiprocessing.Pool(2) as p:
                    print("pool", p.map(abs, [-1, -2, 3]))
                c = sqlite3.connect(":memory:")
                c.execute("create table t(x)")
                c.executemany("insert into t values(?)", ((i,) for i in range(100000)))
                print("rows", c.execute("select count(*), sum(x) from t").fetchone())
                """));
    }

    @Test
    void pythonAsyncioEchoOverLoopbackTcp() throws Exception {
        sameAsNative(List.of(PYTHON, "-c", """
                import asyncio, socket
                async def handle(r, w):
                    w.write((await r.readline()).upper()); await w.drain(); w.close()
                async def main():
                    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
                    port = srv.sockets[0].getsockname()[1]
                    r, w = await asyncio.open_connection("127.0.0.1", port)
                    w.write(b"hello over loopback\\n"); await w.drain()
                    print((await r.readline()).decode().strip())
                    w.close(); srv.close(); await srv.wait_closed()
                asyncio.run(main())
                u1, u2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM), socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                u1.bind(("127.0.0.1", 0)); u2.sendto(b"datagram", u1.getsockname())
                data, sender = u1.recvfrom(100); print(data, sender[0])
                """));
    }

    @Test
    void gccCompilesLinksAndRunsInsideTheSandbox() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")), "gcc is not installed");
        SandboxRunner.Result r = SandboxRunner.run(null, List.of("/bin/sh", "-c",
                "cd /root && printf '#include <stdio.h>\\nint main(){puts(\"hello from gcc\");return 0;}\\n' > hello.c"
                        + " && gcc -O2 -c hello.c && gcc hello.o -o hello && ./hello"), null);
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("hello from gcc\n");
        assertThat(r.status()).isZero();
        assertThat(Path.of("/root/hello.o")).as("writes stay in the sandbox's overlay").doesNotExist();
    }
}
