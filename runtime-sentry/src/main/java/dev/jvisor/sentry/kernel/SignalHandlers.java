package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.linux.Signal;

/** The signal dispositions of a thread group (shared with CLONE_SIGHAND). */
public final class SignalHandlers {
    private final SigAction[] actions = new SigAction[Signal.NSIG + 1];

    public SignalHandlers() {
        java.util.Arrays.fill(actions, SigAction.DEFAULT);
    }

    public synchronized SigAction get(int sig) { return actions[sig]; }

    public synchronized void set(int sig, SigAction a) { actions[sig] = a; }

    public synchronized SignalHandlers copy() {
        SignalHandlers c = new SignalHandlers();
        System.arraycopy(actions, 0, c.actions, 0, actions.length);
        return c;
    }

    /** execve(2): handled signals revert to default; ignored ones stay ignored. */
    public synchronized void resetForExec() {
        for (int i = 1; i < actions.length; i++) {
            if (!actions[i].isIgnore()) actions[i] = SigAction.DEFAULT;
            else actions[i] = new SigAction(Signal.SIG_IGN, 0, 0, 0);
        }
    }
}
