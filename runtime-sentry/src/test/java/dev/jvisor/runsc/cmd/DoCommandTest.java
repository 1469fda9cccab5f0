package dev.jvisor.runsc.cmd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvisor.runsc.cli.FlagSet;
import dev.jvisor.runsc.cli.Invocation;
import dev.jvisor.runsc.cli.LogFormat;
import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.runsc.cli.RunscLog;
import dev.jvisor.runsc.cli.UsageException;
import dev.jvisor.runsc.config.ConfigOption;
import dev.jvisor.runsc.config.RunscConfig;
import dev.jvisor.sentry.SandboxSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code runsc do} up to the Sentry: what reaches Sandbox.run, and what never does. */
class DoCommandTest {
    private final List<SandboxSpec> started = new ArrayList<>();

    private int run(RunscConfig config, String... args) throws Exception {
        DoCommand command = new DoCommand(spec -> {
            started.add(spec);
            return 42;
        });
        FlagSet flags = new FlagSet();
        command.defineFlags(flags);
        List<String> rest = flags.parse(List.of(args));
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        Invocation inv = new Invocation(Path.of("/run/jvisor-test"), false, config,
                new RunscLog(null, LogFormat.JSON, null, false, sink, Clock.systemUTC()), System.in, sink, sink, null);
        return command.execute(inv, rest);
    }

    @Test
    void buildsTheSpecFromFlagsAndReturnsTheSandboxStatus(@TempDir Path rootfs) throws Exception {
        int status = run(RunscConfig.defaults(), "--rootfs", rootfs.toString(), "--cwd", "/tmp", "--env", "A=1",
                "--env=PATH=/bin", "--hostname", "box", "--", "/bin/sh", "-c", "exit 3");
        assertThat(status).isEqualTo(42);
        SandboxSpec s = started.getFirst();
        assertThat(s.rootfs()).isEqualTo(rootfs.toAbsolutePath().normalize());
        assertThat(s.argv()).containsExactly("/bin/sh", "-c", "exit 3");
        assertThat(s.env()).containsExactly("A=1", "PATH=/bin");
        assertThat(s.cwd()).isEqualTo("/tmp");
        assertThat(s.hostname()).isEqualTo("box");
        assertThat(s.strace()).isFalse();
        assertThat(List.of(s.stdin(), s.stdout(), s.stderr())).containsExactly(0, 1, 2);
    }

    @Test
    void defaultsToTheHostRootAndAPath() throws Exception {
        run(RunscConfig.defaults(), "true");
        SandboxSpec s = started.getFirst();
        assertThat(s.rootfs()).isNull();
        assertThat(s.env()).containsExactly(DoCommand.DEFAULT_PATH);
        // over the host root the command starts in the caller's directory
        assertThat(s.cwd()).isEqualTo(java.nio.file.Path.of("").toAbsolutePath().toString());
    }

    @Test
    void straceComesFromTheFlagOrTheConfig() throws Exception {
        run(RunscConfig.defaults(), "--strace", "true");
        run(RunscConfig.defaults().withFlags(Map.of(ConfigOption.STRACE, "true")), "true");
        assertThat(started).allMatch(SandboxSpec::strace);
    }

    @Test
    void argumentsAfterTheCommandAreNotFlags() throws Exception {
        run(RunscConfig.defaults(), "ls", "--strace", "-l");
        assertThat(started.getFirst().argv()).containsExactly("ls", "--strace", "-l");
        assertThat(started.getFirst().strace()).isFalse();
    }

    @Test
    void badInvocationsNeverStartASandbox(@TempDir Path dir) {
        assertThatThrownBy(() -> run(RunscConfig.defaults())).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> run(RunscConfig.defaults(), "--rootfs", dir.resolve("missing").toString(), "true"))
                .isInstanceOf(RunscException.class).hasMessageContaining("is not a directory");
        assertThatThrownBy(() -> run(RunscConfig.defaults(), "--cwd", "relative", "true")).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> run(RunscConfig.defaults(), "--env", "NOVALUE", "true")).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> run(RunscConfig.defaults(), "--env", "=x", "true")).isInstanceOf(UsageException.class);
        assertThat(started).isEmpty();
    }

    @Test
    void aSandboxTheSentryCannotSetUpIsATypedError(@TempDir Path rootfs) {
        DoCommand.SandboxRunner sentry = Subcommands.sentry();
        // An empty root holds no program to run.
        assertThatThrownBy(() -> sentry.run(new SandboxSpec(rootfs, List.of("/bin/nothing-here"), List.of(), "/", "t",
                false, 0, 1, 2)))
                .isInstanceOf(RunscException.class).hasMessageStartingWith("sandbox: ");
    }
}
