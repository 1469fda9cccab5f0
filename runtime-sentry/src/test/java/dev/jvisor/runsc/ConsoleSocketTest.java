package dev.jvisor.runsc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.runsc.state.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code runsc create --console-socket}: the master of a new pty reaches the listener as runc's
 * protocol has it (one message, one descriptor, named /dev/ptmx), sized by
 * {@code process.consoleSize}, and the container's shell talks through it: it is on a terminal
 * (/dev/pts/0 inside), its input is echoed and line-edited by the Sentry, and its exit status
 * still reaches {@code runsc wait}. The listener is a python3 stand-in for containerd's shim.
 */
class ConsoleSocketTest {
    @RegisterExtension final TerminalFixture t = new TerminalFixture();

    @Test
    void theShellTalksThroughTheMasterThatCreateSendsToTheConsoleSocket() throws Exception {
        Path bundle = t.bundle("""
                {"terminal":true,"consoleSize":{"height":33,"width":101},"user":{"uid":0,"gid":0},
                 "args":["/bin/sh","-c","tty; stty size; echo ready; read x; echo \\"got [$x]\\"; exit 3"],
                 "env":["PATH=/bin"],"cwd":"/"}""");
        Path socket = t.work().resolve("console.sock");
        Process shim = t.consoleReceiver(socket, "ready\r\n", "helo\u007flo\r", 60);

        var create = t.runsc("create", "--bundle", bundle.toString(), "--console-socket", socket.toString(),
                "--pid-file", bundle.resolve("init.pid").toString(), "tty1");
        assertThat(create.status()).as(t.log()).isZero();
        assertThat(t.runsc("start", "tty1").status()).isZero();
        assertThat(t.runsc("wait", "tty1").out().strip()).isEqualTo("{\"id\":\"tty1\",\"exitStatus\":3}");

        String report = TerminalFixture.report(shim, 60);
        assertThat(report).contains("name=/dev/ptmx fds=1 truncated=0");
        // The echo of the typed line (with its erase) comes before the shell's answer, all with CR NL.
        assertThat(report).contains("screen='/dev/pts/0\\r\\n33 101\\r\\nready\\r\\nhelo\\x08 \\x08lo\\r\\ngot [hello]\\r\\n'");
        assertThat(t.runsc("delete", "tty1").status()).isZero();
    }

    @Test
    void aConsoleSocketNobodyListensOnFailsCreateAndLeavesNothing() throws Exception {
        Path bundle = t.bundle("""
                {"terminal":true,"user":{"uid":0,"gid":0},"args":["/bin/true"],"cwd":"/"}""");
        var r = t.runsc("create", "--bundle", bundle.toString(), "--console-socket", t.work().resolve("nobody.sock").toString(),
                "--pid-file", bundle.resolve("init.pid").toString(), "tty2");
        assertThat(r.status()).isNotZero();
        assertThat(t.lastLogLine()).contains("--console-socket").contains("ENOENT");
        assertThat(new StateStore(t.root()).ids()).isEmpty();
        assertThat(bundle.resolve("init.pid")).doesNotExist();
    }

    @Test
    void aConsoleSizeATerminalCannotHoldIsRefusedBeforeAnythingStarts() throws Exception {
        for (String size : List.of("{\"height\":70000,\"width\":80}", "{\"height\":-1,\"width\":80}", "{\"width\":80}", "\"big\"")) {
            Path bundle = t.bundle("""
                    {"terminal":true,"consoleSize":%s,"user":{"uid":0,"gid":0},"args":["/bin/true"],"cwd":"/"}""".formatted(size));
            Path socket = t.work().resolve("size.sock");
            var r = t.runsc("create", "--bundle", bundle.toString(), "--console-socket", socket.toString(), "tty4");
            assertThat(r.status()).as(size).isNotZero();
            assertThat(t.lastLogLine()).as(size).contains("consoleSize");
            assertThat(new StateStore(t.root()).ids()).isEmpty();
        }
    }

    @Test
    void aTerminalNeedsAConsoleSocketAndASocketNeedsATerminal() throws Exception {
        Path bundle = t.bundle("""
                {"terminal":true,"user":{"uid":0,"gid":0},"args":["/bin/true"],"cwd":"/"}""");
        var r = t.runsc("create", "--bundle", bundle.toString(), "tty3");
        assertThat(r.status()).isNotZero();
        assertThat(t.lastLogLine()).contains("process.terminal").contains("--console-socket");

        Files.writeString(bundle.resolve("config.json"), Files.readString(bundle.resolve("config.json")).replace("\"terminal\":true", "\"terminal\":false"));
        r = t.runsc("create", "--bundle", bundle.toString(), "--console-socket", t.work().resolve("x.sock").toString(), "tty3");
        assertThat(r.status()).isNotZero();
        assertThat(t.lastLogLine()).contains("--console-socket").contains("terminal is not set");
        assertThat(new StateStore(t.root()).ids()).isEmpty();
    }
}
