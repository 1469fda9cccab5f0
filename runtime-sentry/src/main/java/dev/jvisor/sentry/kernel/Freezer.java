package dev.jvisor.sentry.kernel;

import java.util.List;

/**
 * The freezer of one container in the sandbox, as the cgroup freezer is for a host container:
 * every process that starts in the container (its first process, what it forks, what is exec'd
 * into it) shares its freezer, so the freezer also tells which processes belong to which
 * container. While frozen, a task stops before it next runs application code: at its next
 * syscall boundary, or at once if it was running (it is kicked out of the stub). A task asleep
 * in a syscall stays asleep and stops when the call returns.
 */
public final class Freezer {
    /** How often a frozen task re-checks whether its process is being killed. */
    private static final long RECHECK_MILLIS = 50;

    private final String name;
    private boolean frozen;

    public Freezer(String name) {
        this.name = name;
    }

    public String name() { return name; }

    public synchronized boolean isFrozen() { return frozen; }

    /** Stops every task of {@code members} before it next runs application code. */
    public void freeze(List<ThreadGroup> members) {
        synchronized (this) {
            frozen = true;
        }
        for (ThreadGroup g : members) for (Task t : g.tasks()) t.interrupt();
    }

    /** Lets frozen tasks go on. */
    public synchronized void thaw() {
        frozen = false;
        notifyAll();
    }

    /**
     * Called by a task of {@code group} on its own thread before it resumes application code:
     * waits while the container is frozen, unless the process is being killed (a frozen process
     * can still be SIGKILLed, as under the cgroup freezer once it thaws; here at once).
     */
    void awaitThawed(ThreadGroup group) {
        synchronized (this) {
            while (frozen && !group.exiting) {
                try {
                    wait(RECHECK_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
