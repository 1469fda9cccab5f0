package dev.jvisor.runsc.cmd;

import dev.jvisor.runsc.cli.Flag;
import dev.jvisor.runsc.cli.FlagSet;
import java.util.ArrayList;
import java.util.List;

/** The flags of {@code create}, which {@code run} takes too and hands on to the create it runs. */
final class CreateFlags {
    final Flag<String> bundle;
    final Flag<String> pidFile;
    final Flag<String> consoleSocket;
    private final Flag<Boolean> noPivot;

    private CreateFlags(FlagSet flags) {
        bundle = flags.string("bundle", "DIR", ".", "the OCI bundle: config.json and the root filesystem");
        flags.alias("b", bundle);
        pidFile = flags.string("pid-file", "FILE", "", "write the container's host pid here");
        consoleSocket = flags.string("console-socket", "SOCKET", "", "unix socket to send the terminal's master fd to");
        // runc's flags that have no meaning for a sandbox whose mounts and keys live in the Sentry.
        noPivot = flags.bool("no-pivot", "accepted for runc compatibility; jVisor never pivots the host's root");
        flags.bool("no-new-keyring", "accepted for runc compatibility; the Sentry has no host session keyring");
        flags.string("preserve-fds", "N", "0", "accepted for runc compatibility; only 0 is supported");
    }

    /** Defines the flags on {@code flags}. */
    static CreateFlags define(FlagSet flags) {
        return new CreateFlags(flags);
    }

    /** A create command line for container {@code id} with these flags' values. */
    List<String> createArguments(String id) {
        List<String> args = new ArrayList<>(List.of("--bundle", bundle.get()));
        if (!pidFile.get().isEmpty()) args.addAll(List.of("--pid-file", pidFile.get()));
        if (!consoleSocket.get().isEmpty()) args.addAll(List.of("--console-socket", consoleSocket.get()));
        if (noPivot.get()) args.add("--no-pivot");
        args.add(id);
        return args;
    }
}
