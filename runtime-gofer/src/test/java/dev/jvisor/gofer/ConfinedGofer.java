package dev.jvisor.gofer;

import dev.jvisor.p9.FdTransport;
import dev.jvisor.p9.P9Client;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Gofer as runsc runs it: {@link GoferMain} in a child JVM, chrooted and under its seccomp
 * filter, serving over a socketpair whose other end this JVM holds.
 */
final class ConfinedGofer implements GoferUnderTest {
    private final Process process;
    private final P9Client client;
    private final Path log;

    ConfinedGofer(List<MountPoint> mounts, Path log) throws Exception {
        this.log = log;
        FdTransport[] pair = FdTransport.socketPair();
        List<String> args = new ArrayList<>(List.of(Long.toString(ProcessHandle.current().pid()),
                Integer.toString(pair[0].fd())));
        for (MountPoint m : mounts) {
            if (m.name().equals("/")) {
                args.addAll(List.of("--root", m.hostPath().toString()));
                if (m.readOnly()) {
                    args.add("--root-readonly");
                }
            } else {
                args.addAll(List.of("--mount", m.hostPath() + ":" + m.name() + (m.readOnly() ? ":ro" : "")));
            }
        }
        process = ChildJvm.start(log, GoferChildLauncher.class, args);
        try {
            client = P9Client.connect(pair[1], 65536);
        } finally {
            pair[0].closeDescriptorOnly();
        }
    }

    long pid() {
        return process.pid();
    }

    @Override
    public P9Client client() {
        return client;
    }

    @Override
    public void close() throws Exception {
        client.close();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("confined gofer did not exit after hang-up");
        }
        if (process.exitValue() != 0) {
            throw new AssertionError("confined gofer exited " + process.exitValue() + ": " + Files.readString(log));
        }
    }
}
