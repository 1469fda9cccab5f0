package dev.jvisor.runsc.cmd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.runsc.cli.Subcommand;
import dev.jvisor.sentry.syscalls.SyscallInfo;
import dev.jvisor.sentry.syscalls.SyscallInfo.Support;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class HelpCommandTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @Test
    void syscallTableListsEveryRowAndCountsBySupport() {
        HelpCommand.printSyscalls(out, List.of(
                new SyscallInfo(0, "read", Support.FULL, ""),
                new SyscallInfo(9, "mmap", Support.PARTIAL, "no MAP_HUGETLB"),
                new SyscallInfo(165, "mount", Support.UNIMPLEMENTED, "")));
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).startsWith("NUM").contains("NAME", "SUPPORT", "NOTE");
        assertThat(lines.get(2)).matches("9\\s+mmap\\s+partial\\s+no MAP_HUGETLB");
        assertThat(lines.get(3)).matches("165\\s+mount\\s+unimplemented\\s*");
        assertThat(lines.get(4)).isEqualTo("3 syscalls: 1 full, 1 partial, 1 unimplemented (ENOSYS)");
    }

    @Test
    void everyRegisteredCommandHasANameSummaryAndHelp() {
        Map<String, Supplier<Subcommand>> table = Subcommands.table();
        assertThat(table.keySet()).contains("do", "state", "list", "delete", "spec", "features", "version", "help");
        for (var e : table.entrySet()) {
            Subcommand c = e.getValue().get();
            assertThat(c.name()).isEqualTo(e.getKey());
            assertThat(c.summary()).isNotBlank();
            HelpCommand.printCommand(out, c);
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("usage: runsc delete [flags] <container-id>");
    }
}
