package dev.jvisor.sentry;

import dev.jvisor.sentry.kernel.Kernel;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Entry point of the Sentry: runs one sandbox to completion ({@link RunningSandbox} is the running one). */
public final class Sandbox {
    private Sandbox() {}

    private static final String[] FORWARDED_SIGNALS = {"INT", "TERM", "HUP", "QUIT", "USR1", "USR2", "WINCH"};

    /** The sandbox could not be set up or its program could not be started. */
    public static final class SandboxException extends RuntimeException {
        public SandboxException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Runs the spec's program inside a new sandbox and waits for its init to exit.
     *
     * @return the exit status as a shell reports it: the exit code, or 128+N after signal N
     */
    public static int run(SandboxSpec spec) {
        return run(spec, System.err);
    }

    public static int run(SandboxSpec spec, PrintStream log) {
        try (RunningSandbox sandbox = RunningSandbox.boot("sandbox", spec, log)) {
            return awaitForwardingSignals(sandbox);
        }
    }

    /**
     * Waits for the sandbox's pid 1 while the runtime's own host signals (INT, TERM, …) go to
     * it; an interrupt kills the sandbox.
     *
     * @return pid 1's exit status as a shell reports it
     */
    public static int awaitForwardingSignals(RunningSandbox sandbox) {
        try (HostSignals forwarding = forwardHostSignals(sandbox)) {
            return awaitExit(sandbox);
        }
    }

    /** Waits for the sandbox's pid 1; an interrupt kills the sandbox. */
    public static int awaitExit(RunningSandbox sandbox) {
        try {
            return sandbox.awaitExit();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sandbox.signalInit(9);
            return 128 + 9;
        }
    }

    /**
     * From now until {@link HostSignals#close()}, host signals to the runtime (INT, TERM, …) go to
     * the sandbox's init, as from outside its PID namespace. A runtime that is told to start a
     * program installs this before it answers: a signal sent as soon as the program runs must
     * reach the program, not end the runtime with the JVM's default action.
     */
    public static HostSignals forwardHostSignals(RunningSandbox sandbox) {
        Kernel kernel = sandbox.kernel();
        List<Object[]> previous = new ArrayList<>();
        for (String name : FORWARDED_SIGNALS) {
            // On a terminal, window changes reach the foreground group through the terminal.
            if (sandbox.hasTerminal() && name.equals("WINCH")) continue;
            try {
                sun.misc.Signal sig = new sun.misc.Signal(name);
                previous.add(new Object[] {sig, sun.misc.Signal.handle(sig, s -> kernel.signalInitFromOutside(s.getNumber()))});
            } catch (IllegalArgumentException e) {
                // the JVM reserves this one (e.g. QUIT with -Xrs unset); leave it
            }
        }
        return new HostSignals(previous);
    }

    /** The host signal handlers {@link #forwardHostSignals} replaced; closing puts them back. */
    public static final class HostSignals implements AutoCloseable {
        private final List<Object[]> previous;

        private HostSignals(List<Object[]> previous) {
            this.previous = previous;
        }

        @Override
        public void close() {
            for (Object[] p : previous) sun.misc.Signal.handle((sun.misc.Signal) p[0], (sun.misc.SignalHandler) p[1]);
            previous.clear();
        }
    }
}
