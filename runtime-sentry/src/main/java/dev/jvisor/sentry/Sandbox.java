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
        HostSignals h = holdHostSignals(sandbox.hasTerminal());
        h.forwardTo(sandbox);
        return h;
    }

    /**
     * Takes the runtime's host signals (INT, TERM, …) from now on, before there is a sandbox to
     * give them to: they are held until {@link HostSignals#forwardTo} names the sandbox, which
     * gets them then, in order, and every later one as it comes. A runtime that boots a program
     * calls this before the boot, so that a signal sent the moment the program runs — before the
     * runtime has answered that it started — reaches the program instead of ending the JVM.
     *
     * @param terminal the program will run on a terminal: window changes reach its foreground
     *                 group through the terminal, so WINCH is left alone
     */
    public static HostSignals holdHostSignals(boolean terminal) {
        HostSignals h = new HostSignals();
        for (String name : FORWARDED_SIGNALS) {
            if (terminal && name.equals("WINCH")) continue;
            try {
                sun.misc.Signal sig = new sun.misc.Signal(name);
                h.previous.add(new Object[] {sig, sun.misc.Signal.handle(sig, s -> h.deliver(s.getNumber()))});
            } catch (IllegalArgumentException e) {
                // the JVM reserves this one (e.g. QUIT with -Xrs unset); leave it
            }
        }
        return h;
    }

    /** The host signal handlers {@link #holdHostSignals} replaced; closing puts them back. */
    public static final class HostSignals implements AutoCloseable {
        private final List<Object[]> previous = new ArrayList<>();
        private final List<Integer> held = new ArrayList<>();
        private Kernel target;

        private HostSignals() {}

        private synchronized void deliver(int signo) {
            if (target != null) target.signalInitFromOutside(signo);
            else held.add(signo);
        }

        /** From now on signals go to {@code sandbox}'s init, the held ones first. */
        public synchronized void forwardTo(RunningSandbox sandbox) {
            target = sandbox.kernel();
            for (int signo : held) target.signalInitFromOutside(signo);
            held.clear();
        }

        @Override
        public void close() {
            for (Object[] p : previous) sun.misc.Signal.handle((sun.misc.Signal) p[0], (sun.misc.SignalHandler) p[1]);
            previous.clear();
        }
    }
}
