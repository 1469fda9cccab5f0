package dev.jvisor.sentry.kernel;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tasks waiting for something to change (a pipe to fill, a child to exit). A waker calls
 * {@link #wakeAll}; sleepers re-check their condition. See {@link Task#block}.
 */
public final class WaitQueue {
    private final Set<Task> waiters = ConcurrentHashMap.newKeySet();
    private final AtomicLong wakeups = new AtomicLong();

    public void add(Task t) { waiters.add(t); }

    public void remove(Task t) { waiters.remove(t); }

    public void wakeAll() {
        wakeups.incrementAndGet();
        for (Task t : waiters) t.wake();
    }

    /**
     * How many times this queue has been woken. Edge-triggered epoll reports a file again only
     * after this moves, i.e. after something happened to the file since the last report.
     */
    public long wakeups() { return wakeups.get(); }
}
