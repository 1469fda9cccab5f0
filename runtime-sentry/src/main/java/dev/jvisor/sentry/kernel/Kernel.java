package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.Signal;
import dev.jvisor.sentry.mm.AddressSpace;
import dev.jvisor.sentry.platform.ptrace.PtraceContext;
import dev.jvisor.sentry.vfs.FdTable;
import dev.jvisor.sentry.vfs.FsContext;
import dev.jvisor.sentry.vfs.Vfs;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One sandbox's kernel: the PID namespace and process tree, signal sending, exit and wait,
 * and the shared services (VFS, timers, syscall dispatch, logging). Tree changes hold this
 * object's monitor.
 */
public final class Kernel {
    public static final String RELEASE = "4.4.0";
    public static final String VERSION = "#1 SMP jVisor";
    private static final int PID_MAX = 4 * 1024 * 1024;

    private final Vfs vfs;
    private final SyscallDispatcher dispatcher;
    private final PrintStream log;
    private final boolean strace;
    private volatile String hostname;
    private volatile String domainname = "(none)";
    private final Map<Integer, Task> tasks = new HashMap<>();
    private final Map<Integer, ThreadGroup> groups = new HashMap<>();
    private int lastPid;
    private ThreadGroup init;
    private final CountDownLatch initDone = new CountDownLatch(1);
    private final CountDownLatch allDone = new CountDownLatch(1);
    private int liveTasks;
    private final ScheduledExecutorService timers;
    /**
     * The host's boot, on the monotonic clock (System.nanoTime) and on the real-time clock: the
     * sandbox's uptime, process start times and btime count from it, as CLOCK_BOOTTIME does,
     * which a program may read through the vDSO straight from the host (as under runc).
     */
    private final long bootNanos, bootEpochNanos;
    {
        long mono = System.nanoTime(), real = dev.jvisor.sentry.vfs.Clock.realtimeNanos();
        long sinceBoot = dev.jvisor.sentry.host.Host.clockNanos(7 /* CLOCK_BOOTTIME */);
        bootNanos = mono - sinceBoot;
        bootEpochNanos = real - sinceBoot;
    }
    private final SyscallStats syscallStats = new SyscallStats();
    /** Ready stubs for this sandbox's new tasks; never shared with another kernel. */
    private final dev.jvisor.sentry.platform.ptrace.StubPool stubPool = dev.jvisor.sentry.platform.ptrace.StubPool.forKernel("jvisor");
    private final dev.jvisor.sentry.monitor.SyscallDenials monitor = new dev.jvisor.sentry.monitor.SyscallDenials();

    public Kernel(Vfs vfs, SyscallDispatcher dispatcher, String hostname, boolean strace, PrintStream log) {
        this.vfs = vfs;
        this.dispatcher = dispatcher;
        this.hostname = hostname;
        this.strace = strace;
        this.log = log;
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon(true).name("jvisor-timers").unstarted(r));
    }

    public Vfs vfs() { return vfs; }
    public SyscallDispatcher dispatcher() { return dispatcher; }
    public boolean strace() { return strace; }
    public PrintStream log() { return log; }
    public String hostname() { return hostname; }
    public void hostname(String h) { hostname = h; }
    public String domainname() { return domainname; }
    public void domainname(String d) { domainname = d; }
    public ScheduledExecutorService timerService() { return timers; }
    public long bootNanos() { return bootNanos; }
    public long bootEpochNanos() { return bootEpochNanos; }
    /** Time since the host booted: CLOCK_BOOTTIME. */
    public long uptimeNanos() { return dev.jvisor.sentry.host.Host.clockNanos(7 /* CLOCK_BOOTTIME */); }

    /** Where this sandbox's tasks get their threads and stubs. */
    public dev.jvisor.sentry.platform.ptrace.StubPool stubPool() { return stubPool; }

    /** Per-number dispatch counts of this sandbox. */
    public SyscallStats syscallStats() { return syscallStats; }

    /** Where handlers report refused calls; runsc's event reporter drains it. */
    public dev.jvisor.sentry.monitor.SyscallDenials monitor() { return monitor; }

    /** Counts a call to an unimplemented syscall (reported when the sandbox ends). */
    public void countUnimplemented(long nr) {
        syscallStats.unimplemented(nr);
        monitor.syscallUnsupported(nr);
    }

    public Map<Integer, Long> unimplementedCounts() {
        return syscallStats.unimplementedCounts();
    }

    public void warn(String msg, Throwable t) {
        log.println("jvisor: " + msg);
        if (t != null && Boolean.getBoolean("jvisor.debug")) t.printStackTrace(log);
    }

    // ------------------------------------------------------------------ creating tasks

    private int allocPid() {
        for (int i = 0; i < PID_MAX; i++) {
            lastPid = lastPid >= PID_MAX ? 1 : lastPid + 1;
            if (!tasks.containsKey(lastPid) && !groups.containsKey(lastPid)) return lastPid;
        }
        throw Errno.EAGAIN.exception();
    }

    /**
     * RLIMIT_NPROC: a process may not fork when its real user already has as many processes in
     * the sandbox (not yet reaped) as its soft limit allows; root and holders of
     * CAP_SYS_RESOURCE or CAP_SYS_ADMIN are exempt, as on Linux.
     */
    private void checkProcessLimit(ThreadGroup parent) {
        Credentials c = parent.creds;
        if (c.uid() == 0 || c.hasCap(dev.jvisor.abi.linux.Capability.CAP_SYS_RESOURCE) || c.hasCap(dev.jvisor.abi.linux.Capability.CAP_SYS_ADMIN)) return;
        long limit = parent.rlimits.soft(Rlimits.RLIMIT_NPROC);
        if (limit == Rlimits.INFINITY) return;
        long count = 0;
        for (ThreadGroup g : groups.values()) if (g.creds.uid() == c.uid()) count++;
        if (Long.compareUnsigned(count, limit) >= 0) throw Errno.EAGAIN.exception();
    }

    /**
     * Creates pid 1 with an empty address space; the caller loads the program with
     * {@link #startInit} after exec'ing into it.
     */
    public synchronized Task createInit(FsContext fs, FdTable fds, Credentials creds) {
        int pid = allocPid();
        ThreadGroup g = new ThreadGroup(this, pid, null, new SignalHandlers(), creds, Rlimits.defaults());
        g.pgid = g.sid = pid;
        Task t = new Task(this, g, pid);
        t.as = PtraceContext.newAddressSpace();
        t.fds = fds;
        t.fs = fs;
        g.tasks.add(t);
        groups.put(pid, g);
        tasks.put(pid, t);
        init = g;
        return t;
    }

    /**
     * Creates a process started from outside the sandbox (runsc exec): a new session with no
     * parent inside, an empty address space for the caller to exec into, and {@code onExit}
     * told its wait status when it exits (it is reaped at once; its orphans go to init).
     */
    public synchronized Task createProcess(FsContext fs, FdTable fds, Credentials creds, Freezer freezer,
                                           java.util.function.IntConsumer onExit) {
        if (init == null || init.state != ThreadGroup.State.ALIVE || init.exiting) throw Errno.ESRCH.exception();
        int pid = allocPid();
        ThreadGroup g = new ThreadGroup(this, pid, null, new SignalHandlers(), creds, Rlimits.defaults());
        g.pgid = g.sid = pid;
        g.freezer = freezer;
        g.orphanExit = onExit;
        Task t = new Task(this, g, pid);
        t.as = PtraceContext.newAddressSpace();
        t.fds = fds;
        t.fs = fs;
        g.tasks.add(t);
        groups.put(pid, g);
        tasks.put(pid, t);
        return t;
    }

    /** Starts a task whose registers and address space are ready. */
    public void start(Task t) {
        synchronized (this) {
            liveTasks++;
        }
        t.start();
    }

    void taskRunning(Task t) {
        if (strace) log.println("jvisor: task " + t.tid + " running on stub " + t.ctx.stub().pid());
    }

    public synchronized ThreadGroup init() { return init; }

    public synchronized Task task(int tid) { return tasks.get(tid); }

    public synchronized ThreadGroup group(int tgid) {
        ThreadGroup g = groups.get(tgid);
        return g != null && g.state == ThreadGroup.State.ALIVE ? g : null;
    }

    /** A process that has not been reaped yet (alive or zombie): kill(2) may still name it. */
    public synchronized ThreadGroup groupOrZombie(int tgid) {
        ThreadGroup g = groups.get(tgid);
        return g != null && g.state != ThreadGroup.State.REAPED ? g : null;
    }

    /** Every live process, in pid order. */
    /** How many processes are alive (not reaped): what sysinfo(2) reports, without listing them. */
    public synchronized int processCount() {
        int n = 0;
        for (ThreadGroup g : groups.values()) if (g.state != ThreadGroup.State.REAPED) n++;
        return n;
    }

    public synchronized List<ThreadGroup> groups() {
        List<ThreadGroup> out = new ArrayList<>();
        for (ThreadGroup g : groups.values()) if (g.state != ThreadGroup.State.REAPED) out.add(g);
        out.sort(java.util.Comparator.comparingInt(ThreadGroup::tgid));
        return out;
    }

    /** clone flags, include/uapi/linux/sched.h. */
    public static final long CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800,
            CLONE_PIDFD = 0x1000, CLONE_PTRACE = 0x2000, CLONE_VFORK = 0x4000, CLONE_PARENT = 0x8000,
            CLONE_THREAD = 0x10000, CLONE_NEWNS = 0x20000, CLONE_SYSVSEM = 0x40000, CLONE_SETTLS = 0x80000,
            CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000, CLONE_DETACHED = 0x400000,
            CLONE_UNTRACED = 0x800000, CLONE_CHILD_SETTID = 0x1000000, CLONE_NEWCGROUP = 0x2000000,
            CLONE_NEWUTS = 0x4000000, CLONE_NEWIPC = 0x8000000, CLONE_NEWUSER = 0x10000000,
            CLONE_NEWPID = 0x20000000, CLONE_NEWNET = 0x40000000, CLONE_IO = 0x80000000L;

    /**
     * fork/vfork/clone of a new process (threads are not supported yet). Returns the child's
     * pid; with CLONE_VFORK, returns only after the child has exec'd or exited.
     */
    public int cloneProcess(Task parent, long flags, long newSp, long parentTid, long childTid, long tls) {
        if ((flags & (CLONE_THREAD | CLONE_SIGHAND)) != 0 && (flags & CLONE_VM) == 0) throw Errno.EINVAL.exception();
        if ((flags & CLONE_THREAD) != 0 && (flags & CLONE_SIGHAND) == 0) throw Errno.EINVAL.exception();
        if ((flags & CLONE_THREAD) != 0) return cloneThread(parent, flags, newSp, parentTid, childTid, tls);
        if ((flags & (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP)) != 0) {
            throw Errno.EPERM.exception();
        }
        int exitSignal = (int) (flags & 0xff);
        if (exitSignal > Signal.NSIG) throw Errno.EINVAL.exception();
        // Capture the parent's FP state now, on the parent's own (tracing) thread.
        parent.ctx.getFpState(parent.fp);
        Task child;
        ThreadGroup pg = parent.group;
        synchronized (this) {
            if (pg.exiting) throw Errno.EINTR.exception();
            checkProcessLimit(pg);
            int pid = allocPid();
            ThreadGroup realParent = (flags & CLONE_PARENT) != 0 && pg.parent != null ? pg.parent : pg;
            ThreadGroup g = new ThreadGroup(this, pid, realParent,
                    (flags & CLONE_SIGHAND) != 0 ? pg.handlers : pg.handlers.copy(), pg.creds, pg.rlimits.copy());
            g.pgid = pg.pgid;
            g.sid = pg.sid;
            g.exitSignal = exitSignal;
            g.comm = pg.comm;
            g.freezer = pg.freezer;
            g.exePath = pg.exePath;
            g.dumpable(pg.dumpable());
            g.auxv = pg.auxv;
            g.argv = pg.argv;
            g.envp = pg.envp;
            child = new Task(this, g, pid);
            child.schedPolicy = parent.schedPolicy; // inherited across fork (no SCHED_RESET_ON_FORK kept)
            child.as = (flags & CLONE_VM) != 0 ? parent.as.retainUser((flags & CLONE_VFORK) == 0) : parent.as.fork();
            inheritFromParent(child, parent, flags, newSp, childTid, tls);
            child.altStack(parent.altSp, parent.altSize, parent.altFlags);
            g.tasks.add(child);
            realParent.children.add(g);
            groups.put(pid, g);
            tasks.put(pid, child);
        }
        if ((flags & CLONE_PARENT_SETTID) != 0) parent.as.writeInt(parentTid, child.tid);
        if ((flags & CLONE_CHILD_SETTID) != 0) child.as.writeInt(childTid, child.tid);
        CountDownLatch vfork = null;
        if ((flags & CLONE_VFORK) != 0) {
            vfork = new CountDownLatch(1);
            child.vforkDone = vfork;
        }
        start(child);
        if (vfork != null) {
            // The parent sleeps until the child execs or exits; signals wait until then, as in Linux.
            try {
                vfork.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return child.tid;
    }

    /**
     * clone(CLONE_THREAD): a new task in the caller's thread group, sharing its address space
     * (through its own stub), signal handlers, and — as the flags say — files and fs context.
     */
    private int cloneThread(Task parent, long flags, long newSp, long parentTid, long childTid, long tls) {
        parent.ctx.getFpState(parent.fp);
        ThreadGroup g = parent.group;
        Task child;
        synchronized (this) {
            if (g.exiting) throw Errno.EINTR.exception();
            int tid = allocPid();
            child = new Task(this, g, tid);
            child.schedPolicy = parent.schedPolicy;
            child.as = parent.as.retainUser(true);
            inheritFromParent(child, parent, flags, newSp, childTid, tls); // a new thread has no altstack
            g.tasks.add(child);
            tasks.put(tid, child);
        }
        if ((flags & CLONE_PARENT_SETTID) != 0) parent.as.writeInt(parentTid, child.tid);
        if ((flags & CLONE_CHILD_SETTID) != 0) child.as.writeInt(childTid, child.tid);
        start(child);
        return child.tid;
    }

    /** What every clone child takes from its parent: files, fs context, mask, registers (rax 0), FP state. */
    private static void inheritFromParent(Task child, Task parent, long flags, long newSp, long childTid, long tls) {
        child.fds = (flags & CLONE_FILES) != 0 ? parent.fds.retainUser() : parent.fds.copy();
        child.fs = (flags & CLONE_FS) != 0 ? parent.fs : parent.fs.copy();
        child.sigMask = parent.sigMask;
        child.regs.copyFrom(parent.regs);
        child.regs.rax(0);
        if (newSp != 0) child.regs.rsp(newSp);
        if ((flags & CLONE_SETTLS) != 0) child.regs.fsBase(tls);
        child.fp.copyFrom(parent.fp);
        child.fpPending = true;
        if ((flags & CLONE_CHILD_CLEARTID) != 0) child.clearChildTid = childTid;
    }

    /**
     * exit(2): ends the calling thread only; the last thread's exit ends the process with its code.
     */
    public void exitThread(Task t, int code) {
        synchronized (this) {
            ThreadGroup g = t.group;
            long alive = g.tasks.stream().filter(x -> !x.exited).count();
            t.exited = true;
            if (alive > 1 || g.exiting) {
                g.lastThreadExitStatus = exitedStatus(code);
                return;
            }
            exitGroupLocked(g, exitedStatus(code));
        }
    }

    // ------------------------------------------------------------------ signals

    /** Sends a signal to a process. Implements the rules of kill(2) delivery (not permission). */
    public void signalGroup(ThreadGroup g, SigInfo s) {
        deliver(g, null, s);
    }

    /** Sends a signal to one thread (tgkill). */
    public void signalTask(Task t, SigInfo s) {
        deliver(t.group, t, s);
    }

    private void deliver(ThreadGroup g, Task target, SigInfo s) {
        int sig = s.signo;
        if (sig == 0) return;
        synchronized (this) {
            if (g.state != ThreadGroup.State.ALIVE || g.exiting) return;
            SigAction act = g.handlers.get(sig);
            // PID 1 of a PID namespace only gets signals it has handlers for (from inside).
            // That includes the signals init sends itself, as for pid 1 of any Linux pid namespace.
            // A blocked signal is queued all the same (Linux's sig_ignored looks at the blocked
            // mask first), so init can still take it with sigwait or a signalfd.
            boolean blockedForInit = sig != Signal.SIGKILL && sig != Signal.SIGSTOP
                    && (target != null ? (target.sigMask & Signal.bit(sig)) != 0 : allBlock(g, sig));
            if (g == init && !s.fromKernel && !blockedForInit && (act.isDefault() || sig == Signal.SIGKILL || sig == Signal.SIGSTOP)) return;
            if (sig == Signal.SIGKILL) {
                g.stopped = false;
            }
            if (sig == Signal.SIGCONT) {
                long stops = Signal.bit(Signal.SIGSTOP) | Signal.bit(Signal.SIGTSTP) | Signal.bit(Signal.SIGTTIN) | Signal.bit(Signal.SIGTTOU);
                g.pending.discard(stops);
                for (Task t : g.tasks) t.discardPending(stops);
                if (g.stopped) {
                    g.stopped = false;
                    g.continueUnreported = true;
                    g.stopUnreported = false;
                    notifyParent(g, Signal.CLD_CONTINUED, Signal.SIGCONT);
                    for (Task t : g.tasks) t.wake();
                }
            } else if (Signal.isStopSignal(sig)) {
                g.pending.discard(Signal.bit(Signal.SIGCONT));
                for (Task t : g.tasks) t.discardPending(Signal.bit(Signal.SIGCONT));
            }
            if (sig == Signal.SIGKILL) {
                exitGroupLocked(g, Signal.SIGKILL);
                return;
            }
            // Ignored signals are dropped at once unless blocked (they might be unignored later).
            boolean blocked = target != null ? (target.sigMask & Signal.bit(sig)) != 0 : allBlock(g, sig);
            boolean ignored = act.isIgnore() || (act.isDefault() && (Signal.defaultAction(sig) == Signal.DefaultAction.IGNORE
                    || Signal.defaultAction(sig) == Signal.DefaultAction.CONTINUE));
            if (ignored && !blocked) return;
        }
        if (target != null) target.enqueue(s);
        else g.enqueue(s);
    }

    private static boolean allBlock(ThreadGroup g, int sig) {
        for (Task t : g.tasks) if ((t.sigMask & Signal.bit(sig)) == 0) return false;
        return !g.tasks.isEmpty();
    }

    /** A stop signal's default action: the whole process stops and its parent hears of it. */
    void stopGroup(ThreadGroup g, int sig) {
        synchronized (this) {
            if (g.exiting || g.stopped) return;
            if (g == init) return;
            g.stopped = true;
            g.stopSignal = sig;
            g.stopUnreported = true;
            g.continueUnreported = false;
            notifyParent(g, Signal.CLD_STOPPED, sig);
        }
    }

    private void notifyParent(ThreadGroup g, int code, int status) {
        ThreadGroup p = g.parent;
        if (p == null) return;
        p.childEvents.wakeAll();
        SigAction act = p.handlers.get(Signal.SIGCHLD);
        if ((code == Signal.CLD_STOPPED || code == Signal.CLD_CONTINUED) && act.has(Signal.SA_NOCLDSTOP)) return;
        SigInfo s = new SigInfo(Signal.SIGCHLD, code);
        s.pid = g.tgid;
        s.uid = g.creds.uid();
        s.status = status;
        s.fromKernel = true;
        signalGroup(p, s); // now, in order: a late SIGCHLD would coalesce with the next child's
    }

    // ------------------------------------------------------------------ exit

    /** exit_group(2) or a fatal signal: every task of {@code g} stops at its next boundary. */
    public void exitGroup(ThreadGroup g, int waitStatus) {
        synchronized (this) {
            exitGroupLocked(g, waitStatus);
        }
    }

    /** The exit status of exit(code) in wait(2) encoding. */
    public static int exitedStatus(int code) { return (code & 0xff) << 8; }

    private void exitGroupLocked(ThreadGroup g, int waitStatus) {
        if (g.exiting) return;
        g.exiting = true;
        g.exitStatus = waitStatus;
        g.stopped = false;
        for (Task t : g.tasks) t.interrupt();
    }

    /** Called on a task's own thread when it has left the run loop for good. */
    void taskExited(Task t) {
        t.releaseVforkParent();
        RobustFutexes.release(t);
        if (t.clearChildTid != 0) {
            try {
                t.as.writeInt(t.clearChildTid, 0);
                Futexes.wake(t.as, t.clearChildTid, 1); // pthread_join waits on this word
            } catch (RuntimeException ignored) {
                // the address may be gone; Linux ignores that too
            }
        }
        t.as.releaseUser();
        t.fds.releaseUser();
        boolean groupDead;
        ThreadGroup g = t.group;
        synchronized (this) {
            g.tasks.remove(t);
            tasks.remove(t.tid);
            groupDead = g.tasks.isEmpty();
            if (groupDead) groupExitedLocked(g);
            liveTasks--;
            if (liveTasks == 0) allDone.countDown();
            notifyAll(); // a thread in deThread waits for the others to be gone
        }
    }

    /**
     * The part of execve(2) that makes {@code t} the only thread of its process (Linux's
     * de_thread): every other thread ends at its next boundary, and once they are gone a
     * thread that is not the leader takes over the process's pid as its thread id. Called
     * after the new image is loaded, when execve can no longer fail.
     */
    public void deThread(Task t) {
        ThreadGroup g = t.group;
        synchronized (this) {
            if (g.tasks.size() == 1) return;
            for (Task other : g.tasks) {
                if (other != t) {
                    other.killedByExec = true;
                    other.interrupt();
                }
            }
            while (g.tasks.size() > 1 && !g.exiting) {
                try {
                    wait(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (g.exiting) return; // killed meanwhile: the exec'ing thread ends too
            if (t.tid != g.tgid) {
                tasks.remove(t.tid);
                t.tid = g.tgid;
                tasks.put(g.tgid, t);
            }
        }
    }

    private void groupExitedLocked(ThreadGroup g) {
        g.timers.cancelAll();
        g.posixTimers.deleteAll();
        if (!g.exiting) {
            g.exiting = true;
            g.exitStatus = g.lastThreadExitStatus;
        }
        if (g == init) {
            for (ThreadGroup other : groups.values()) {
                if (other != g && other.state == ThreadGroup.State.ALIVE) exitGroupLocked(other, Signal.SIGKILL);
            }
            g.state = ThreadGroup.State.ZOMBIE;
            initDone.countDown();
            return;
        }
        for (ThreadGroup c : g.children) {
            c.parent = init;
            init.children.add(c);
            if (c.state == ThreadGroup.State.ZOMBIE) init.childEvents.wakeAll();
        }
        g.children.clear();
        ThreadGroup p = g.parent;
        if (p == null) {
            // Started from outside: nobody inside waits for it; whoever started it hears.
            g.state = ThreadGroup.State.ZOMBIE;
            reapLocked(g);
            if (g.orphanExit != null) g.orphanExit.accept(g.exitStatus);
            return;
        }
        SigAction act = p.handlers.get(Signal.SIGCHLD);
        if (g.exitSignal == Signal.SIGCHLD && (act.isIgnore() || act.has(Signal.SA_NOCLDWAIT))) {
            reapLocked(g); // auto-reaped: no zombie
            p.childEvents.wakeAll();
            return;
        }
        g.state = ThreadGroup.State.ZOMBIE;
        p.childEvents.wakeAll();
        if (g.exitSignal != 0) {
            SigInfo s = new SigInfo(g.exitSignal, (g.exitStatus & 0x7f) == 0 ? Signal.CLD_EXITED : Signal.CLD_KILLED);
            s.pid = g.tgid;
            s.uid = g.creds.uid();
            s.status = (g.exitStatus & 0x7f) == 0 ? (g.exitStatus >> 8) & 0xff : g.exitStatus & 0x7f;
            s.fromKernel = true;
            signalGroup(p, s); // synchronously: the kernel lock is reentrant and below every sleep lock
        }
    }

    private void reapLocked(ThreadGroup g) {
        g.state = ThreadGroup.State.REAPED;
        if (g.parent != null) {
            g.parent.children.remove(g);
            // Every thread of a reaped process has exited, so its total is final.
            g.parent.childUserNanos += g.cpuNanos() + g.childUserNanos;
        }
        groups.remove(g.tgid);
    }

    /** What wait4/waitid report about a child. */
    /** {@code cpuNanos}: for an exited child, its CPU time and that of the children it reaped; else 0. */
    public record WaitResult(int pid, int uid, int status, int code, int value, long cpuNanos) {
        public WaitResult(int pid, int uid, int status, int code, int value) {
            this(pid, uid, status, code, value, 0);
        }
    }

    public static final int WNOHANG = 1, WUNTRACED = 2, WEXITED = 4, WCONTINUED = 8, WNOWAIT = 0x01000000;

    /**
     * Waits for a child matching {@code match} to change state. Returns null under WNOHANG when
     * nothing is ready; ECHILD when no child matches at all.
     */
    public WaitResult waitChild(Task t, Predicate<ThreadGroup> match, int options) {
        ThreadGroup g = t.group;
        WaitResult[] found = new WaitResult[1];
        java.util.function.BooleanSupplier ready = () -> {
            synchronized (this) {
                found[0] = scanChildren(g, match, options);
                return found[0] != null;
            }
        };
        if ((options & WNOHANG) != 0) {
            ready.getAsBoolean();
            return found[0];
        }
        t.block(g.childEvents, ready, Long.MAX_VALUE);
        return found[0];
    }

    private WaitResult scanChildren(ThreadGroup g, Predicate<ThreadGroup> match, int options) {
        boolean any = false;
        for (ThreadGroup c : new ArrayList<>(g.children)) {
            if (!match.test(c)) continue;
            any = true;
            if (c.state == ThreadGroup.State.ZOMBIE && (options & WEXITED) != 0) {
                int st = c.exitStatus;
                boolean signaled = (st & 0x7f) != 0;
                WaitResult r = new WaitResult(c.tgid, c.creds.uid(), st, signaled ? Signal.CLD_KILLED : Signal.CLD_EXITED,
                        signaled ? st & 0x7f : (st >> 8) & 0xff, c.cpuNanos() + c.childUserNanos);
                if ((options & WNOWAIT) == 0) reapLocked(c);
                return r;
            }
            if (c.state == ThreadGroup.State.ALIVE && c.stopped && c.stopUnreported && (options & WUNTRACED) != 0) {
                if ((options & WNOWAIT) == 0) c.stopUnreported = false;
                return new WaitResult(c.tgid, c.creds.uid(), 0x7f | (c.stopSignal << 8), Signal.CLD_STOPPED, c.stopSignal);
            }
            if (c.state == ThreadGroup.State.ALIVE && c.continueUnreported && (options & WCONTINUED) != 0) {
                if ((options & WNOWAIT) == 0) c.continueUnreported = false;
                return new WaitResult(c.tgid, c.creds.uid(), 0xffff, Signal.CLD_CONTINUED, Signal.SIGCONT);
            }
        }
        if (!any) throw Errno.ECHILD.exception();
        return null;
    }

    // ------------------------------------------------------------------ process groups and sessions

    public void setpgid(Task caller, int pid, int pgid) {
        synchronized (this) {
            ThreadGroup self = caller.group;
            ThreadGroup target = pid == 0 ? self : groups.get(pid);
            if (target == null || target.state != ThreadGroup.State.ALIVE) throw Errno.ESRCH.exception();
            if (target != self) {
                if (target.parent != self) throw Errno.ESRCH.exception();
                if (target.sid != self.sid) throw Errno.EPERM.exception();
                if (target.execed) throw Errno.EACCES.exception();
            }
            if (pgid < 0) throw Errno.EINVAL.exception();
            int newPgid = pgid == 0 ? target.tgid : pgid;
            if (target.sid == target.tgid) throw Errno.EPERM.exception(); // a session leader
            if (newPgid != target.tgid) {
                boolean exists = false;
                for (ThreadGroup x : groups.values()) {
                    if (x.state == ThreadGroup.State.ALIVE && x.pgid == newPgid && x.sid == self.sid) {
                        exists = true;
                        break;
                    }
                }
                if (!exists) throw Errno.EPERM.exception();
            }
            target.pgid = newPgid;
        }
    }

    public int setsid(Task caller) {
        synchronized (this) {
            ThreadGroup g = caller.group;
            for (ThreadGroup x : groups.values()) {
                if (x.state == ThreadGroup.State.ALIVE && x.pgid == g.tgid) throw Errno.EPERM.exception();
            }
            g.sid = g.pgid = g.tgid;
            return g.sid;
        }
    }

    /** Processes in process group {@code pgid}. */
    public synchronized List<ThreadGroup> processGroup(int pgid) {
        List<ThreadGroup> out = new ArrayList<>();
        for (ThreadGroup x : groups.values()) if (x.state == ThreadGroup.State.ALIVE && x.pgid == pgid) out.add(x);
        return out;
    }

    // ------------------------------------------------------------------ running a sandbox

    /** Blocks until pid 1 exits, kills everything left, and returns init's wait status. */
    public int awaitInit() throws InterruptedException {
        initDone.await();
        synchronized (this) {
            for (ThreadGroup g : groups.values()) if (g.state == ThreadGroup.State.ALIVE) exitGroupLocked(g, Signal.SIGKILL);
        }
        if (!allDone.await(10, TimeUnit.SECONDS)) warn("tasks still running 10 s after init exited", null);
        stubPool.close(); // no ready stub outlives the sandbox
        timers.shutdownNow();
        try {
            syscallStats.writeIfRequested();
            dev.jvisor.p9.P9CallStats.writeIfRequested();
        } catch (java.io.UncheckedIOException e) {
            warn(e.getMessage(), e);
        }
        return init.exitStatus;
    }

    /** Kills the whole sandbox (runsc kill, host signals): init gets {@code sig} from outside. */
    public void signalInitFromOutside(int sig) {
        SigInfo s = SigInfo.kernel(sig);
        ThreadGroup g = init();
        if (g != null) signalGroup(g, s);
    }
}
