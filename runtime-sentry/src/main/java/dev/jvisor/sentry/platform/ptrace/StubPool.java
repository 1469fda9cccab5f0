package dev.jvisor.sentry.platform.ptrace;

import dev.jvisor.sentry.mm.MemoryFile;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Platform threads that each trace a freshly spawned, never used stub, so that starting a task
 * (fork, clone, exec's first run) takes a ready stub instead of spawning and attaching one
 * while its parent waits. Under ptrace a tracee belongs to the OS thread that traced it, so the
 * pool holds threads with their stubs, not bare stubs: a task runs on the thread whose stub it
 * takes. Replacements are spawned after a task ends or as one is handed out, off the path of the
 * call that starts a task.
 *
 * <p>One pool per kernel, so one sandbox: a stub never serves two sandboxes. A stub runs one task
 * at most and dies with it — a pooled stub has never run application code. Idle stubs are killed
 * when the pool closes or after {@link #IDLE_MILLIS}; like every stub they die with the Sentry
 * (PTRACE_O_EXITKILL), so a killed Sentry leaves none behind.
 */
public final class StubPool implements AutoCloseable {
    /** How many ready stubs the pool keeps at most. */
    static final int DEFAULT_TARGET = 2;
    /** An idle carrier ends (and kills its stub) after this long without work. */
    static final long IDLE_MILLIS = 30_000;
    /** The stub waiting on the current carrier thread for the task it will run. */
    private static final ThreadLocal<Stub> READY = new ThreadLocal<>();

    private final String name;
    private final int target;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Carrier> idle = new ArrayDeque<>();
    /** Carrier threads not running a task: spawning a stub or waiting with one. */
    private final java.util.Set<Thread> standby = new java.util.HashSet<>();
    private int warming;
    private int spawned;
    private boolean closed;

    /**
     * @param name   prefix of the carrier threads' names
     * @param target ready stubs to keep; 0 makes every task spawn its own, as without a pool
     */
    public StubPool(String name, int target) {
        this.name = name;
        this.target = Math.max(0, target);
    }

    /** A pool of {@value #DEFAULT_TARGET}, or {@code -Djvisor.stubpool=N}. */
    public static StubPool forKernel(String name) {
        return new StubPool(name, Integer.getInteger("jvisor.stubpool", DEFAULT_TARGET));
    }

    /**
     * Takes the ready stub of the calling thread, if it is a carrier that has one, and makes the
     * caller its owner; null otherwise (the caller spawns one).
     */
    static Stub takeReady() {
        Stub s = READY.get();
        READY.remove();
        return s;
    }

    /**
     * Runs {@code body} on a platform thread named {@code threadName}: a carrier with a ready stub
     * when there is one, else a new thread. Returns that thread.
     */
    public Thread start(String threadName, Runnable body) {
        Carrier c;
        lock.lock();
        try {
            c = closed ? null : idle.pollLast();
            if (c != null) c.work = body;
            if (c != null) c.wake.signal();
            refillLocked();
        } finally {
            lock.unlock();
        }
        if (c != null) {
            c.thread.setName(threadName);
            return c.thread;
        }
        Thread t = Thread.ofPlatform().name(threadName).daemon(true).unstarted(() -> carry(body));
        t.start();
        return t;
    }

    /** Ready stubs right now, for tests. */
    public int readyCount() {
        lock.lock();
        try {
            return idle.size();
        } finally {
            lock.unlock();
        }
    }

    /** Host pids of the ready stubs, for tests. */
    public List<Integer> readyPids() {
        lock.lock();
        try {
            List<Integer> out = new ArrayList<>();
            for (Carrier c : idle) out.add(c.stubPid);
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Starts carriers that spawn stubs until ready + warming reaches the target (lock held). */
    private void refillLocked() {
        while (!closed && idle.size() + warming < target) {
            warming++;
            Thread t = Thread.ofPlatform().name(name + "-stub-" + spawned++).daemon(true).unstarted(() -> carry(null));
            standby.add(t);
            t.start();
        }
    }

    /** A carrier's life: run its first body (if any), then alternate between waiting with a fresh stub and running a task. */
    private void carry(Runnable first) {
        Runnable body = first;
        boolean counted = first == null; // a warming carrier was counted in refillLocked
        while (true) {
            if (body != null) {
                try {
                    body.run();
                } finally {
                    Stub unused = takeReady();
                    if (unused != null) unused.kill(); // the body never took it: it is not handed out twice
                }
            }
            Carrier me = new Carrier(Thread.currentThread());
            if (!counted) {
                lock.lock();
                try {
                    if (closed || idle.size() + warming >= target) return;
                    warming++;
                    standby.add(Thread.currentThread());
                } finally {
                    lock.unlock();
                }
            }
            counted = false;
            Stub stub;
            try {
                stub = Stub.spawn(MemoryFile.get().fd());
            } catch (RuntimeException e) {
                lock.lock();
                try {
                    warming--;
                    standby.remove(Thread.currentThread());
                } finally {
                    lock.unlock();
                }
                return; // the host refuses a process now: tasks spawn their own and report it
            }
            body = awaitWork(me, stub);
            if (body == null) {
                stub.kill();
                lock.lock();
                try {
                    standby.remove(Thread.currentThread());
                } finally {
                    lock.unlock();
                }
                return;
            }
            READY.set(stub);
        }
    }

    /** Waits idle with {@code stub} ready; returns the task to run, or null when the pool closed or no work came. */
    private Runnable awaitWork(Carrier me, Stub stub) {
        me.stubPid = stub.pid();
        lock.lock();
        try {
            warming--;
            if (closed) return null;
            idle.addLast(me);
            long left = TimeUnit.MILLISECONDS.toNanos(IDLE_MILLIS);
            while (me.work == null && !closed && left > 0) {
                try {
                    left = me.wake.awaitNanos(left);
                } catch (InterruptedException e) {
                    break;
                }
            }
            if (me.work == null) {
                idle.remove(me);
                return null; // standby is left once the stub is reaped
            }
            standby.remove(me.thread);
            return me.work;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Kills every ready stub (and those being spawned) and waits, at most 2 s each, for their
     * carriers to reap them; tasks still running
     * keep their threads and end as they would have.
     */
    @Override
    public void close() {
        List<Thread> waitFor;
        lock.lock();
        try {
            closed = true;
            for (Carrier c : idle) c.wake.signal();
            waitFor = new ArrayList<>(standby);
        } finally {
            lock.unlock();
        }
        for (Thread t : waitFor) {
            try {
                t.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private final class Carrier {
        final Thread thread;
        final Condition wake = lock.newCondition();
        Runnable work;
        int stubPid;

        Carrier(Thread thread) {
            this.thread = thread;
        }
    }
}
