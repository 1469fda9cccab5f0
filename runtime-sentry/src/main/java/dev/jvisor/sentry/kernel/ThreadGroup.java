package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.linux.Signal;

import java.util.ArrayList;
import java.util.List;

/**
 * A process: its tasks, its place in the process tree, session and process group, signal
 * dispositions and group-wide pending signals, job-control state, and its exit status once a
 * zombie. Tree changes (fork, exit, reaping, reparenting) lock the {@link Kernel}.
 */
public final class ThreadGroup {
    public enum State { ALIVE, ZOMBIE, REAPED }

    final Kernel kernel;
    final int tgid;
    ThreadGroup parent;
    final List<ThreadGroup> children = new ArrayList<>();
    final List<Task> tasks = new ArrayList<>();
    SignalHandlers handlers;
    final PendingSignals pending = new PendingSignals();
    final WaitQueue childEvents = new WaitQueue();
    int pgid, sid;
    /** Signal sent to the parent at exit (SIGCHLD, or another for clone(2) with a custom signal). */
    int exitSignal = Signal.SIGCHLD;
    State state = State.ALIVE;
    /** Wait status once the group exits (wait(2) encoding). */
    int exitStatus;
    /** The status of the last thread that left with exit(2), for when no exit_group follows. */
    int lastThreadExitStatus;
    /** Set when exit_group or a fatal signal is under way. */
    volatile boolean exiting;
    /** Job control: stopped by a stop signal; a stop or continue is waiting to be reported. */
    volatile boolean stopped;
    int stopSignal;
    boolean stopUnreported, continueUnreported;
    boolean execed;
    volatile Credentials creds;
    final Rlimits rlimits;
    volatile String comm = "";
    volatile String exePath = "";
    /** The auxiliary vector the program was started with, as /proc/PID/auxv shows it. */
    volatile byte[] auxv = new byte[0];
    volatile List<String> argv = List.of();
    volatile List<String> envp = List.of();
    final long startNanos = System.nanoTime();
    /** CPU time of reaped children, for getrusage(RUSAGE_CHILDREN) and times(2). */
    long childUserNanos, childSysNanos;
    /** CPU time of this process's threads that have exited. */
    private final java.util.concurrent.atomic.AtomicLong exitedThreadsCpuNanos = new java.util.concurrent.atomic.AtomicLong();
    final IntervalTimers timers;
    final PosixTimers posixTimers;
    /** The container this process belongs to; forks inherit it. Null outside a managed container. */
    volatile Freezer freezer;
    private volatile boolean dumpable = true;
    /**
     * Told the wait status of a process that has no parent in the sandbox (one started from
     * outside, like an exec'd process) when it exits; such a process is reaped at once.
     */
    java.util.function.IntConsumer orphanExit;

    ThreadGroup(Kernel kernel, int tgid, ThreadGroup parent, SignalHandlers handlers, Credentials creds, Rlimits rlimits) {
        this.kernel = kernel;
        this.tgid = tgid;
        this.parent = parent;
        this.handlers = handlers;
        this.creds = creds;
        this.rlimits = rlimits;
        this.timers = new IntervalTimers(this);
        this.posixTimers = new PosixTimers(this);
    }

    public int tgid() { return tgid; }
    public Kernel kernel() { return kernel; }
    public Credentials creds() { return creds; }
    /**
     * Replaces the credentials. A change of the effective or filesystem ids makes the process
     * undumpable, as commit_creds does: its /proc files then belong to root.
     */
    public void creds(Credentials c) {
        Credentials old = creds;
        creds = c;
        if (old.euid() != c.euid() || old.egid() != c.egid() || old.fsuid() != c.fsuid() || old.fsgid() != c.fsgid()) {
            dumpable = false;
        }
    }

    /** prctl's dumpable flag (PR_GET_DUMPABLE); Linux keeps it with the address space. */
    public boolean dumpable() { return dumpable; }
    public void dumpable(boolean d) { dumpable = d; }
    public SignalHandlers handlers() { return handlers; }
    public Rlimits rlimits() { return rlimits; }
    public IntervalTimers timers() { return timers; }
    public PosixTimers posixTimers() { return posixTimers; }
    public String comm() { return comm; }
    public void comm(String c) { comm = c.length() > 15 ? c.substring(0, 15) : c; }
    public String exePath() { return exePath; }
    public byte[] auxv() { return auxv.clone(); }
    public List<String> argv() { return argv; }
    public List<String> envp() { return envp; }
    public long startNanos() { return startNanos; }

    public int pgid() { synchronized (kernel) { return pgid; } }
    public int sid() { synchronized (kernel) { return sid; } }

    public int ppid() {
        synchronized (kernel) {
            return parent == null ? 0 : parent.tgid;
        }
    }

    public ThreadGroup parent() { synchronized (kernel) { return parent; } }

    public State state() { synchronized (kernel) { return state; } }

    /** The freezer of the container this process belongs to, or null. */
    public Freezer freezer() { return freezer; }

    /** Puts a process that has not started yet into a container. */
    public void freezer(Freezer f) { freezer = f; }

    /** Lock-free: sleeping tasks ask this while holding their own sleep lock. */
    public boolean isStopped() { return stopped; }

    /** The tasks of this group, a snapshot. */
    public List<Task> tasks() {
        synchronized (kernel) {
            return new ArrayList<>(tasks);
        }
    }

    void addExitedThreadCpu(long nanos) {
        exitedThreadsCpuNanos.addAndGet(nanos);
    }

    /**
     * CPU time the process's application code has used, all threads, living and exited: the
     * host's accounting of their stubs. Time the Sentry spends serving syscalls is not in it.
     */
    public long cpuNanos() {
        long total = exitedThreadsCpuNanos.get();
        for (Task t : tasks()) total += t.cpuTimeNanos();
        return total;
    }

    /** CPU time of the children (and their waited-for descendants) this process has reaped. */
    public long reapedChildrenCpuNanos() {
        synchronized (kernel) {
            return childUserNanos;
        }
    }

    public Task leader() {
        synchronized (kernel) {
            return tasks.isEmpty() ? null : tasks.get(0);
        }
    }

    /** Queues a group-directed signal and wakes a task that can take it. */
    void enqueue(SigInfo s) {
        pending.add(s);
        List<Task> all = tasks();
        for (Task t : all) {
            if ((t.signalMask() & Signal.bit(s.signo)) == 0 || s.signo == Signal.SIGKILL) {
                t.interrupt();
                return;
            }
        }
        // Blocked everywhere: wake sleepers anyway, one may be in rt_sigtimedwait for it.
        for (Task t : all) t.wake();
    }
}
