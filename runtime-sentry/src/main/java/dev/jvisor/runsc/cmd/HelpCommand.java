package dev.jvisor.runsc.cmd;

import dev.jvisor.runsc.cli.FlagSet;
import dev.jvisor.runsc.cli.Invocation;
import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.runsc.cli.Subcommand;
import dev.jvisor.runsc.cli.UsageException;
import dev.jvisor.runsc.config.ConfigOption;
import dev.jvisor.runsc.config.RunscConfig;
import dev.jvisor.sentry.syscalls.SyscallInfo;
import dev.jvisor.sentry.syscalls.SyscallTable;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code runsc help [COMMAND | syscalls | config]}: the command list, one command's flags, the
 * Sentry's syscall table, or the sandbox settings with their current values and sources.
 */
public final class HelpCommand implements Subcommand {
    private final Supplier<Map<String, Supplier<Subcommand>>> table;

    HelpCommand(Supplier<Map<String, Supplier<Subcommand>>> table) {
        this.table = table;
    }

    @Override public String name() { return "help"; }
    @Override public String summary() { return "help on a command, \"syscalls\" or \"config\""; }
    @Override public String argsUsage() { return "[command | syscalls | config]"; }

    @Override
    public int execute(Invocation inv, List<String> args) throws RunscException {
        if (args.size() > 1) throw new UsageException("help takes at most one topic");
        PrintStream out = inv.out();
        if (args.isEmpty()) {
            printCommands(out, table.get());
            return 0;
        }
        switch (args.getFirst()) {
            case "syscalls" -> printSyscalls(out, SyscallTable.rows());
            case "config" -> printConfig(out, inv.config());
            default -> {
                Supplier<Subcommand> factory = table.get().get(args.getFirst());
                if (factory == null) throw new UsageException("no help topic \"" + args.getFirst() + "\"");
                printCommand(out, factory.get());
            }
        }
        return 0;
    }

    /** The top-level usage, also printed for a bare {@code runsc}. */
    public static void printCommands(PrintStream out, Map<String, Supplier<Subcommand>> table) {
        out.println("usage: runsc [global flags] <command> [flags] [arguments]");
        out.println();
        out.println("commands:");
        for (Supplier<Subcommand> f : table.values()) {
            Subcommand c = f.get();
            out.printf("  %-10s %s%n", c.name(), c.summary());
        }
        out.println();
        out.println("\"runsc help <command>\" shows a command's flags; \"runsc help config\" the sandbox settings.");
    }

    public static void printCommand(PrintStream out, Subcommand c) {
        FlagSet flags = new FlagSet();
        c.defineFlags(flags);
        out.println("usage: runsc " + c.name() + (flags.flags().isEmpty() ? "" : " [flags]")
                + (c.argsUsage().isEmpty() ? "" : " " + c.argsUsage()));
        out.println();
        out.println(c.summary());
        if (!flags.flags().isEmpty()) {
            out.println();
            out.print(flags.usage());
        }
    }

    static void printSyscalls(PrintStream out, List<SyscallInfo> rows) {
        out.printf("%-4s %-24s %-14s %s%n", "NUM", "NAME", "SUPPORT", "NOTE");
        for (SyscallInfo r : rows) {
            out.printf("%-4d %-24s %-14s %s%n", r.number(), r.name(), r.support().name().toLowerCase(Locale.ROOT), r.note());
        }
        long full = rows.stream().filter(r -> r.support() == SyscallInfo.Support.FULL).count();
        long partial = rows.stream().filter(r -> r.support() == SyscallInfo.Support.PARTIAL).count();
        out.printf("%d syscalls: %d full, %d partial, %d unimplemented (ENOSYS)%n",
                rows.size(), full, partial, rows.size() - full - partial);
    }

    static void printConfig(PrintStream out, RunscConfig config) {
        out.printf("%-12s %-10s %-10s %-12s %s%n", "KEY", "VALUE", "SOURCE", "ANNOTATION", "MEANING");
        for (ConfigOption o : ConfigOption.values()) {
            out.printf("%-12s %-10s %-10s %-12s %s%n", o.key(), config.text(o),
                    config.source(o).name().toLowerCase(Locale.ROOT),
                    o.annotationRule().name().toLowerCase(Locale.ROOT).replace('_', '-'), o.usage());
        }
    }
}
