package dev.jvisor.sentry;

/** Entry point of the Sentry: runs one sandbox to completion. */
public final class Sandbox {
    private Sandbox() {}

    /**
     * Runs the spec's program inside a new sandbox and waits for its init to exit.
     *
     * @return the exit status as a shell reports it: the exit code, or 128+N after signal N
     */
    public static int run(SandboxSpec spec) {
        throw new UnsupportedOperationException("the Sentry is not implemented yet");
    }
}
