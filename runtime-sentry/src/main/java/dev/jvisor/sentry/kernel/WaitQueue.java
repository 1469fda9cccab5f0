package dev.jvisor.sentry.kernel;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tasks waiting for something to change (a pipe to fill, a child to exit). A waker calls
 * {@link #wakeAll}; sleepers re-check their condition. See {@link Task#block}.
 */
public final class WaitQueue {
    private final Set<Task> waiters = ConcurrentHashMap.newKeySet();

    public void add(Task t) { waiters.add(t); }

    public void remove(Task t) { waiters.remove(t); }

    public void wakeAll() {
        for (Task t : waiters) t.wake();
    }
}
