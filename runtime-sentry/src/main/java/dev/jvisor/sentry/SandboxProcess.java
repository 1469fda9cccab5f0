package dev.jvisor.sentry;

import dev.jvisor.sentry.kernel.Kernel;
import dev.jvisor.sentry.kernel.SigInfo;
import dev.jvisor.sentry.kernel.ThreadGroup;

import java.util.concurrent.CompletableFuture;

/**
 * A process started in a running sandbox from outside: its pid inside, a signal sender, and
 * its exit status as a shell reports it (the exit code, or 128+N after signal N).
 */
public final class SandboxProcess {
    private final Kernel kernel;
    private final ThreadGroup group;
    private final CompletableFuture<Integer> exit;

    SandboxProcess(Kernel kernel, ThreadGroup group, CompletableFuture<Integer> exit) {
        this.kernel = kernel;
        this.group = group;
        this.exit = exit;
    }

    /** The pid inside the sandbox. */
    public int pid() { return group.tgid(); }

    /** Completes with the shell exit status when the process has exited. */
    public CompletableFuture<Integer> exit() { return exit; }

    public boolean isAlive() { return !exit.isDone(); }

    /** Sends {@code sig} as from outside the sandbox (runsc kill, the exec waiter's forwarding). */
    public void signal(int sig) {
        if (exit.isDone()) return;
        kernel.signalGroup(group, SigInfo.kernel(sig));
    }

    /** The exit status a shell reports for a wait(2) status. */
    public static int shellStatus(int waitStatus) {
        return (waitStatus & 0x7f) == 0 ? (waitStatus >> 8) & 0xff : 128 + (waitStatus & 0x7f);
    }
}
