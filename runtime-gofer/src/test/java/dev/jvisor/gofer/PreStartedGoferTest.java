package dev.jvisor.gofer;

import dev.jvisor.abi.OpenFlags;
import dev.jvisor.hostcall.RawSyscall;
import dev.jvisor.p9.FdTransport;
import dev.jvisor.p9.Frame;
import dev.jvisor.p9.Message;
import dev.jvisor.p9.P9Client;
import dev.jvisor.p9.P9Codec;
import dev.jvisor.p9.Rmessage;
import dev.jvisor.p9.Tmessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Gofer started before its root is known ({@code --handoff-fd N --parent P}), in a child JVM:
 * this process, its parent, takes the socket it offers with pidfd_getfd(2), names the root, and is
 * served; a Gofer whose parent is not the one named, or that is handed garbage, exits.
 */
// A separate thread: a test stuck in a blocking read(2) fails instead of hanging the build.
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PreStartedGoferTest {
    // <asm/unistd_64.h>
    private static final long SYS_PIDFD_OPEN = 434, SYS_PIDFD_GETFD = 438, SYS_CLOSE = 3;
    private static final int EBADF = 9;

    @Test
    void itServesTheRootItIsHandedOnTheSocketItOffered(@TempDir Path tmp) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.writeString(root.resolve("hello.txt"), "handed over");
        Process gofer = start(tmp, ProcessHandle.current().pid());
        int fd = takeSocket(gofer);
        FdTransport transport = new FdTransport(fd);
        transport.writeFrame(RootHandoff.encode(root, true));
        try (P9Client c = P9Client.connect(transport, 65536)) {
            int rootFid = c.attach("root", "/", 0);
            int f = c.walk(rootFid, "hello.txt");
            c.lopen(f, OpenFlags.O_RDONLY);
            assertThat(new String(c.read(f, 0, 100), StandardCharsets.UTF_8)).isEqualTo("handed over");
            // Read-only as handed: no new file.
            int dir = c.walk(rootFid);
            assertThat(errno(() -> c.lcreate(dir, "new", OpenFlags.O_RDWR, 0644, 0))).isEqualTo("EROFS");
        }
        assertThat(gofer.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(gofer.exitValue()).isZero();
    }

    /** The Sentry speaks 9P right after the handoff: both may come in one read(2). */
    @Test
    void aRequestRightBehindTheHandoffIsServed(@TempDir Path tmp) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Process gofer = start(tmp, ProcessHandle.current().pid());
        try (FdTransport transport = new FdTransport(takeSocket(gofer))) {
            ByteBuffer handoff = RootHandoff.encode(root, false);
            ByteBuffer version = P9Codec.encode(Message.NOTAG, new Tmessage.Version(65536, Message.VERSION_9P2000_L));
            ByteBuffer both = ByteBuffer.allocate(handoff.remaining() + version.remaining()).put(handoff).put(version).flip();
            transport.writeFrame(both);   // one write: the Gofer's first read gets both frames
            Frame reply = P9Codec.decodeReply(transport.readFrame(65536), 65536);
            assertThat(reply.message()).isEqualTo(new Rmessage.Version(65536, Message.VERSION_9P2000_L));
        }
        assertThat(gofer.waitFor(20, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void itExitsWhenItsParentIsNotTheOneNamed(@TempDir Path tmp) throws Exception {
        Process gofer = start(tmp, 1);
        assertThat(gofer.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(gofer.exitValue()).isEqualTo(GoferMain.EXIT_FAILURE);
        assertThat(Files.readString(tmp.resolve("gofer.log"))).contains("parent 1 is gone");
    }

    @Test
    void itExitsWhenHandedGarbage(@TempDir Path tmp) throws Exception {
        Process gofer = start(tmp, ProcessHandle.current().pid());
        try (FdTransport transport = new FdTransport(takeSocket(gofer))) {
            transport.writeFrame(ByteBuffer.wrap(new byte[] {8, 0, 0, 0, 100, -1, -1, 0}));
            assertThat(gofer.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(gofer.exitValue()).isEqualTo(GoferMain.EXIT_FAILURE);
        assertThat(Files.readString(tmp.resolve("gofer.log"))).contains("no root handed over");
    }

    private static Process start(Path tmp, long parent) throws Exception {
        return ChildJvm.start(tmp.resolve("gofer.log"), GoferMain.class, List.of(
                "--handoff-fd", Integer.toString(RootHandoff.DEFAULT_FD), "--parent", Long.toString(parent),
                "--confine=false"));
    }

    /** What the Sentry does: a copy of the child's descriptor, once the child has put it there. */
    private static int takeSocket(Process child) throws Exception {
        long pidfd = RawSyscall.call(SYS_PIDFD_OPEN, child.pid(), 0, 0, 0, 0, 0);
        assertThat(RawSyscall.failed(pidfd)).as("pidfd_open").isFalse();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                long fd = RawSyscall.call(SYS_PIDFD_GETFD, pidfd, RootHandoff.DEFAULT_FD, 0, 0, 0, 0);
                if (!RawSyscall.failed(fd)) return (int) fd;
                assertThat(RawSyscall.errno(fd)).as("pidfd_getfd").isEqualTo(EBADF);
                assertThat(child.isAlive()).as("the child is still starting").isTrue();
                assertThat(System.nanoTime()).as("offered in time").isLessThan(deadline);
                Thread.sleep(5);
            }
        } finally {
            RawSyscall.call(SYS_CLOSE, pidfd, 0, 0, 0, 0, 0);
        }
    }

    private interface Call {
        void run() throws Exception;
    }

    private static String errno(Call c) {
        try {
            c.run();
            return "none";
        } catch (dev.jvisor.abi.ErrnoException e) {
            return e.errno().name();
        } catch (Exception e) {
            return e.toString();
        }
    }
}
