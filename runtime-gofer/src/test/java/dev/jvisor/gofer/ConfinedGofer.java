package dev.jvisor.gofer;

import dev.jvisor.abi.ErrnoException;
import dev.jvisor.p9.FdTransport;
import dev.jvisor.p9.P9Client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Gofer as runsc runs it: {@link GoferMain} in a child JVM, chrooted and under its seccomp
 * filter, serving over a socketpair whose other end this JVM holds.
 *
 * <p>Until the child has answered Tversion this JVM still holds the child's end of the pair (the
 * child fetches it from here with pidfd_getfd), so a child that dies at start would leave the
 * handshake's read(2) waiting for an end of file that never comes; JUnit's timeout cannot
 * interrupt a thread in a native read either. A watchdog therefore hangs up our end when the
 * child exits or {@link #HANDSHAKE_WAIT} passes, and the constructor fails saying which.
 */
final class ConfinedGofer implements GoferUnderTest {
    /** A child JVM's start on a loaded two-core machine takes seconds, not this long. */
    static final Duration HANDSHAKE_WAIT = Duration.ofSeconds(45);

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
            client = connectOrFail(pair[1]);
        } catch (Throwable t) {
            process.destroyForcibly().waitFor();
            throw t;
        } finally {
            pair[0].closeDescriptorOnly();
        }
    }

    /**
     * The Tversion handshake, bounded: the child's exit or the deadline, whichever comes first,
     * shuts our end down under the blocked read, and the failure says which it was.
     */
    private P9Client connectOrFail(FdTransport ours) throws Exception {
        AtomicReference<String> hungUpBecause = new AtomicReference<>();
        Thread watchdog = Thread.ofVirtual().name("confined-gofer-watchdog").start(() -> {
            try {
                hungUpBecause.set(process.waitFor(HANDSHAKE_WAIT)
                        ? "exited with status " + process.exitValue() + " before answering Tversion"
                        : "did not answer Tversion within " + HANDSHAKE_WAIT.toSeconds() + " s");
            } catch (InterruptedException answered) {
                return;
            }
            ours.close();
        });
        try {
            return P9Client.connect(ours, 65536);
        } catch (ErrnoException e) {
            ours.close();
            watchdog.interrupt();
            watchdog.join();
            String why = hungUpBecause.get() != null ? hungUpBecause.get() : "failed Tversion: " + e;
            throw new AssertionError("confined gofer (pid " + process.pid() + ") " + why + "; its log: " + logText(), e);
        } finally {
            watchdog.interrupt();
        }
    }

    private String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
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
