package dev.jvisor.sentry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jvisor.sentry.host.Host;
import dev.jvisor.sentry.host.HostException;
import dev.jvisor.sentry.host.HostTty;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The running sandbox's API without runsc: processes started from outside (output through
 * fds the sandbox then owns and closes, exit statuses, signals), the freezer (even a process
 * that never makes a syscall stops), a second container with its own root, and a process on a
 * terminal of its own (runsc exec -t) over a host pty.
 */
class RunningSandboxTest {
    private static final int O_CLOEXEC = 0x80000;

    @TempDir Path dir;
    private Path rootfs;
    private RunningSandbox sandbox;
    private Thread waiter;

    @BeforeEach
    void boot() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "busybox-static needed");
        rootfs = SandboxRunner.busyboxRootfs(dir.resolve("rootfs"));
        Files.writeString(rootfs.resolve("first-marker"), "first\n");
        int devNull = Host.pipe2(O_CLOEXEC)[0];
        sandbox = RunningSandbox.boot("first", new SandboxSpec(rootfs, List.of("/bin/sleep", "1000"), List.of(), "/", "box",
                false, devNull, 2, 2), System.err);
        waiter = Thread.ofPlatform().start(() -> {
            try {
                sandbox.awaitExit();
            } catch (InterruptedException ignored) {
                // the test is over
            }
        });
    }

    @AfterEach
    void end() throws Exception {
        if (sandbox == null) return;
        sandbox.signalInit(9);
        waiter.join(TimeUnit.SECONDS.toMillis(30));
        sandbox.close();
    }

    /** A process whose stdout and stderr go to a pipe; returns its output once the sandbox closes the pipe. */
    private record Run(SandboxProcess process, int outRead) {
        String output() {
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            try (Arena a = Arena.ofConfined()) {
                MemorySegment buf = a.allocate(4096);
                while (true) {
                    long n = Host.read(outRead, buf, 4096);
                    if (n <= 0) break;
                    bos.write(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), 0, (int) n);
                }
            } finally {
                Host.close(outRead);
            }
            return bos.toString(StandardCharsets.UTF_8);
        }

        /** Reads the output until it ends with {@code text} (within 30 s); returns what was read. */
        String awaitOutput(String text) {
            StringBuilder seen = new StringBuilder();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            try (Arena a = Arena.ofConfined()) {
                MemorySegment buf = a.allocate(1);
                while (!seen.toString().endsWith(text)) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) throw new AssertionError("the program never printed " + text.strip() + "; it printed: " + seen);
                    if ((Host.poll(outRead, 1 /* POLLIN */, (int) Math.min(left, 200)) & (1 | 0x10 /* POLLHUP */)) == 0) continue;
                    // One byte at a time: nothing past the text is taken from output().
                    if (Host.read(outRead, buf, 1) <= 0) throw new AssertionError("the output ended before " + text.strip() + ": " + seen);
                    seen.append((char) buf.get(ValueLayout.JAVA_BYTE, 0));
                }
            }
            return seen.toString();
        }
    }

    private Run exec(SandboxContainer c, String script) {
        int[] in = Host.pipe2(O_CLOEXEC), out = Host.pipe2(O_CLOEXEC);
        int errCopy = Host.fcntl(out[1], 1030 /* F_DUPFD_CLOEXEC */, 3);
        Host.close(in[1]);
        SandboxProcess p = c.exec(new ProcessSpec(List.of("/bin/sh", "-c", script), List.of("PATH=/bin"), "/", 0, 0,
                in[0], out[1], errCopy, true));
        return new Run(p, out[0]);
    }

    private static int await(SandboxProcess p) throws Exception {
        return p.exit().get(30, TimeUnit.SECONDS);
    }

    @Test
    void execRunsBesideInitWithItsOwnStdioAndStatus() throws Exception {
        Run r = exec(sandbox.primary(), "echo pid $$ ppid $PPID in $(hostname); cat /first-marker; exit 7");
        assertThat(await(r.process())).isEqualTo(7);
        // The pipe reaches EOF only because the sandbox closed the fds it was given.
        assertThat(r.output()).matches("pid \\d+ ppid 0 in box\nfirst\n");
        assertThat(r.process().pid()).isNotEqualTo(1);

        Run killed = exec(sandbox.primary(), "kill -9 $$");
        assertThat(await(killed.process())).isEqualTo(137);
        killed.output();

        Run trapped = exec(sandbox.primary(), "trap 'echo term; exit 3' TERM; echo ready; while :; do sleep 1; done");
        // "ready" comes after the trap is set: a SIGTERM from now on runs it.
        String shown = trapped.awaitOutput("ready\n");
        trapped.process().signal(15);
        assertThat(await(trapped.process())).isEqualTo(3);
        assertThat(shown + trapped.output()).isEqualTo("ready\nterm\n");
    }

    @Test
    void aProgramThatCannotRunIsATypedErrorAndItsFdsAreClosed() throws Exception {
        int[] out = Host.pipe2(O_CLOEXEC);
        int[] in = Host.pipe2(O_CLOEXEC);
        Host.close(in[1]);
        // Two sets of copies, each handed over to the sandbox with its exec.
        int[] first = {in[0], out[1], Host.fcntl(out[1], 1030, 3)};
        int[] second = {Host.fcntl(in[0], 1030, 3), Host.fcntl(out[1], 1030, 3), Host.fcntl(out[1], 1030, 3)};
        assertThatThrownBy(() -> sandbox.primary().exec(new ProcessSpec(List.of("/no/such"), List.of(), "/", 0, 0,
                first[0], first[1], first[2], true)))
                .isInstanceOf(Sandbox.SandboxException.class).hasMessageContaining("cannot execute /no/such");
        assertThatThrownBy(() -> sandbox.primary().exec(new ProcessSpec(List.of("/bin/true"), List.of(), "/missing", 0, 0,
                second[0], second[1], second[2], true)))
                .isInstanceOf(Sandbox.SandboxException.class).hasMessageContaining("working directory /missing");
        // Every copy of the write end is closed: the read end sees EOF at once.
        assertThat(new Run(null, out[0]).output()).isEmpty();
    }

    /** utime + stime of a host process, in clock ticks (proc(5) fields 14 and 15). */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    @Test
    void pauseStopsEvenAProcessThatMakesNoSyscallsAndKillStillWorks() throws Exception {
        List<Integer> before = sandbox.primary().hostPids();
        Run spin = exec(sandbox.primary(), "while :; do :; done"); // shell builtins only: no syscall
        List<Integer> now = sandbox.primary().hostPids();
        List<Integer> added = now.stream().filter(p -> !before.contains(p)).toList();
        assertThat(added).hasSize(1);
        long stub = added.getFirst();
        Thread.sleep(300);
        sandbox.primary().pause();
        assertThat(sandbox.primary().isPaused()).isTrue();
        Thread.sleep(300);
        long t0 = cpuTicks(stub);
        Thread.sleep(700);
        assertThat(cpuTicks(stub)).as("no CPU while paused").isEqualTo(t0);
        sandbox.primary().resume();
        // However loaded the host, a resumed spinner gets CPU again: wait for it, with a deadline.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (cpuTicks(stub) == t0 && System.nanoTime() < deadline) Thread.sleep(50);
        assertThat(cpuTicks(stub)).as("runs again once resumed").isGreaterThan(t0);

        sandbox.primary().pause();
        spin.process().signal(9);
        assertThat(await(spin.process())).as("SIGKILL reaches a paused process").isEqualTo(137);
        sandbox.primary().resume();
        spin.output();
    }

    @Test
    void aSecondContainerHasItsOwnRootAndItsOwnProcesses() throws Exception {
        Path second = SandboxRunner.busyboxRootfs(dir.resolve("second"));
        Files.writeString(second.resolve("second-marker"), "second\n");
        SandboxContainer c = sandbox.addContainer("second", second, true);
        assertThat(sandbox.container("second")).isSameAs(c);
        assertThatThrownBy(() -> sandbox.addContainer("second", second, true)).hasMessageContaining("already exists");

        Run own = exec(c, "cd /../..; ls / | grep marker; cat /first-marker 2>&1 || true");
        assertThat(await(own.process())).isZero();
        assertThat(own.output()).startsWith("second-marker\n").contains("No such file");
        Run other = exec(sandbox.primary(), "ls / | grep marker");
        assertThat(await(other.process())).isZero();
        assertThat(other.output()).isEqualTo("first-marker\n");

        Run first = exec(c, "exec sleep 1000");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (c.processes().isEmpty() && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(c.processes()).hasSize(1);
        assertThat(sandbox.primary().processes()).extracting(g -> g.tgid()).doesNotContain(first.process().pid());
        c.signalAll(9);
        assertThat(await(first.process())).isEqualTo(137);
        first.output();
        sandbox.removeContainer("second");
        assertThat(sandbox.container("second")).isNull();
    }

    @Test
    void aProcessOnATerminalOfItsOwnLeadsItsSessionAndTheTerminalGoesWithIt() throws Exception {
        HostTty.Pty pty = HostTty.openPty();
        try {
            HostTty.setWindowSize(pty.master(), 25, 90);
            int slave = HostTty.openTerminal(pty.slavePath());
            SandboxProcess p = sandbox.primary().exec(new ProcessSpec(List.of("/bin/sh", "-c",
                    "tty; stty size; read -r pid comm state ppid pgrp sid rest </proc/$$/stat; "
                            + "[ \"$sid\" = \"$$\" ] && [ \"$pgrp\" = \"$$\" ] && echo leader; exit 4"),
                    List.of("PATH=/bin"), "/", 0, 0, slave, slave, slave, true, true));
            assertThat(sandbox.devpts().terminals()).hasSize(1);
            assertThat(await(p)).isEqualTo(4);
            // The master reads to its end (EIO) only because the sandbox let go of the slave.
            assertThat(readUntilHangup(pty.master())).isEqualTo("/dev/pts/0\r\n25 90\r\nleader\r\n");
            assertThat(sandbox.devpts().terminals()).as("/dev/pts/0 went with its process").isEmpty();
        } finally {
            Host.close(pty.master());
        }
    }

    @Test
    void closingTheHostMasterHangsUpTheTerminalAndItsSessionLeaderGetsSighup() throws Exception {
        HostTty.Pty pty = HostTty.openPty();
        int slave = HostTty.openTerminal(pty.slavePath());
        SandboxProcess p = sandbox.primary().exec(new ProcessSpec(List.of("/bin/sh", "-c", "echo ready; read x; echo read $?; exit 0"),
                List.of("PATH=/bin"), "/", 0, 0, slave, slave, slave, true, true));
        byte[] buf = new byte[64];
        StringBuilder shown = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!shown.toString().contains("ready") && System.nanoTime() < deadline) {
            if ((Host.poll(pty.master(), 1, 200) & 1) != 0) shown.append(new String(buf, 0, HostTty.read(pty.master(), buf), StandardCharsets.UTF_8));
        }
        assertThat(shown.toString()).contains("ready");
        Host.close(pty.master()); // the shim goes away
        assertThat(await(p)).as("sh dies of SIGHUP").isEqualTo(128 + 1);
        assertThat(sandbox.devpts().terminals()).isEmpty();
    }

    @Test
    void aTerminalThatIsNotOneIsATypedErrorAndItsFdIsClosed() throws Exception {
        int[] pipe = Host.pipe2(O_CLOEXEC);
        assertThatThrownBy(() -> sandbox.primary().exec(new ProcessSpec(List.of("/bin/true"), List.of(), "/", 0, 0,
                pipe[1], pipe[1], pipe[1], true, true)))
                .isInstanceOf(Sandbox.SandboxException.class).hasMessageContaining("is not a terminal");
        assertThat(new Run(null, pipe[0]).output()).as("the write end was closed").isEmpty();
        assertThat(sandbox.devpts().terminals()).isEmpty();
        assertThatThrownBy(() -> new ProcessSpec(List.of("/bin/true"), List.of(), "/", 0, 0, 0, 1, 2, false, true))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static String readUntilHangup(int master) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if ((Host.poll(master, 1 /* POLLIN */, 200) & (1 | 0x10 /* POLLHUP */)) == 0) continue;
            int n;
            try {
                n = HostTty.read(master, buf);
            } catch (HostException e) {
                return bos.toString(StandardCharsets.UTF_8); // EIO: every slave is closed
            }
            if (n <= 0) return bos.toString(StandardCharsets.UTF_8);
            bos.write(buf, 0, n);
        }
        throw new AssertionError("the terminal never hung up; it showed " + bos.toString(StandardCharsets.UTF_8));
    }
}
