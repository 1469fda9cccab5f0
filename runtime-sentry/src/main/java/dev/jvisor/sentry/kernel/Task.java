package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.Signal;
import dev.jvisor.sentry.mm.AddressSpace;
import dev.jvisor.sentry.platform.FpState;
import dev.jvisor.sentry.platform.Registers;
import dev.jvisor.sentry.platform.ptrace.PtraceContext;
import dev.jvisor.sentry.platform.ptrace.Stub;
import dev.jvisor.sentry.vfs.FdTable;
import dev.jvisor.sentry.vfs.FsContext;

import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;

/**
 * One application thread. Runs on its own platform thread, which spawned (or, as a stub-pool
 * carrier, had ready) and traces the
 * task's stub: run application code until it traps, serve the syscall or fault, deliver
 * signals, repeat.
 */
public final class Task {
    final Kernel kernel;
    ThreadGroup group;
    /** sched_setscheduler(2): the policy asked for (SCHED_OTHER, SCHED_BATCH or SCHED_IDLE); the Sentry schedules all alike. */
    volatile int schedPolicy;
    /** ioprio_set(2): the I/O class and level asked for; the Sentry does not order I/O by it. */
    volatile int ioPriority;
    /** set_robust_list(2): the head of this thread's list of held robust futexes, or 0. */
    volatile long robustListHead;
    /** Changes once at most: a thread that execs takes over its process's pid (see Kernel.deThread). */
    volatile int tid;
    /** Set when another thread of the process execs: this one ends at its next boundary. */
    volatile boolean killedByExec;
    final Registers regs = new Registers();
    final FpState fp = new FpState();
    /** True when {@link #fp} must be loaded into the stub before first running (fork, exec). */
    boolean fpPending;
    AddressSpace as;
    FdTable fds;
    FsContext fs;
    PtraceContext ctx;

    volatile long sigMask;
    final PendingSignals pending = new PendingSignals();
    long altSp, altSize;
    int altFlags = Signal.SS_DISABLE;
    long savedMask;
    boolean savedMaskValid;
    long clearChildTid;

    private Thread thread;
    /** The stub's host pid once it runs (read by other threads: runsc ps). */
    private volatile int stubPid;
    private final CountDownLatch stubReady = new CountDownLatch(1);
    private volatile boolean inApp;
    private final Object sleepLock = new Object();
    private boolean woken;
    /** Set on a vfork child: its parent sleeps until this counts down (exec or exit). */
    CountDownLatch vforkDone;
    /** This thread called exit(2); its siblings go on. */
    volatile boolean exited;
    /** Whether the last stop was a syscall whose result may need restarting. */
    private boolean syscallReturn;
    private boolean noRestart;

    private java.util.function.LongSupplier restartBlock;

    /** What restart_syscall(2) resumes after an ERESTART_RESTARTBLOCK interruption (e.g. the rest of a sleep). */
    public void restartBlock(java.util.function.LongSupplier r) { restartBlock = r; }

    /** restart_syscall(2): runs the saved continuation, or EINTR when there is none. */
    public long runRestartBlock() {
        java.util.function.LongSupplier r = restartBlock;
        restartBlock = null;
        if (r == null) throw Errno.EINTR.exception();
        return r.getAsLong();
    }

    /** The host pid of the stub process that holds this task's address space, or 0 before it runs. */
    public int hostPid() {
        return stubPid;
    }

    /**
     * Waits until the task's stub runs (or the task failed to get one), so that whoever
     * started it can say the program runs and name its host process.
     *
     * @return false if that took longer than {@code millis}
     */
    public boolean awaitStub(long millis) throws InterruptedException {
        return stubReady.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** CPU time the application has used, from the host's accounting of its stub (schedstat). */
    public long cpuTimeNanos() {
        if (ctx == null) return 0;
        try {
            String s = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + ctx.stub().pid() + "/schedstat"));
            return Long.parseLong(s.substring(0, s.indexOf(' ')));
        } catch (Exception e) {
            return 0;
        }
    }

    /** rt_sigreturn: the restored rax is a value, never a restart request. */
    public void suppressRestart() { noRestart = true; }

    public long robustListHead() { return robustListHead; }
    public int schedPolicy() { return schedPolicy; }
    public int ioPriority() { return ioPriority; }
    public void ioPriority(int p) { ioPriority = p; }
    public void schedPolicy(int policy) { schedPolicy = policy; }
    public void robustListHead(long head) { robustListHead = head; }

    Task(Kernel kernel, ThreadGroup group, int tid) {
        this.kernel = kernel;
        this.group = group;
        this.tid = tid;
    }

    public Kernel kernel() { return kernel; }
    public ThreadGroup group() { return group; }
    public int tid() { return tid; }
    public int tgid() { return group.tgid; }
    public Registers regs() { return regs; }
    public FpState fpState() { return fp; }
    public AddressSpace mm() { return as; }
    public FdTable fds() { return fds; }
    public FsContext fs() { return fs; }
    public Credentials creds() { return group.creds; }
    public PtraceContext context() { return ctx; }
    public long signalMask() { return sigMask; }

    public void signalMask(long m) {
        sigMask = m & ~Signal.UNBLOCKABLE;
    }

    /** Saves the mask to restore after the next signal handler returns (sigsuspend, ppoll, pselect). */
    public void saveMaskForRestore(long original) {
        savedMask = original;
        savedMaskValid = true;
    }

    public long altStackSp() { return altSp; }
    public long altStackSize() { return altSize; }
    public int altStackFlags() { return altFlags; }

    public void altStack(long sp, long size, int flags) {
        altSp = sp;
        altSize = size;
        altFlags = flags;
    }

    /** True while the task's stack pointer is on its signal alternate stack. */
    public boolean onAltStack() {
        long sp = regs.rsp();
        return altFlags != Signal.SS_DISABLE && sp > altSp && sp <= altSp + altSize;
    }

    public void clearChildTid(long addr) { clearChildTid = addr; }

    void start() {
        thread = kernel.stubPool().start("task-" + tid, this::run);
    }

    Thread thread() { return thread; }

    // ------------------------------------------------------------------ the run loop

    private static final ThreadLocal<Task> CURRENT = new ThreadLocal<>();

    /** The task whose thread is running, or null outside task threads. */
    public static Task current() { return CURRENT.get(); }

    private void run() {
        CURRENT.set(this);
        try {
            try {
                ctx = PtraceContext.create(as);
                stubPid = ctx.stub().pid();
            } finally {
                stubReady.countDown();
            }
            if (fpPending) {
                ctx.setFpState(fp);
                fpPending = false;
            }
            kernel.taskRunning(this);
            loop();
        } catch (TaskExit e) {
            // normal unwinding
        } catch (Throwable e) {
            kernel.warn("task " + tid + " (" + group.comm + ") failed in the Sentry: " + e, e);
            kernel.exitGroup(group, Signal.SIGKILL);
        } finally {
            // Sampled before the stub goes: its host accounting goes with it.
            group.addExitedThreadCpu(cpuTimeNanos());
            if (ctx != null) ctx.close();
            kernel.taskExited(this);
            CURRENT.remove(); // the thread may carry another task next (StubPool)
        }
    }

    private void loop() {
        while (true) {
            if (group.exiting || killedByExec) return;
            Freezer freezer = group.freezer;
            if (freezer != null) freezer.awaitThawed(group);
            if (group.exiting || killedByExec) return;
            handleSignals();
            if (group.exiting || killedByExec) return;
            if (fpPending) {
                ctx.setFpState(fp);
                fpPending = false;
            }
            inApp = true;
            Stub.StopKind kind;
            try {
                kind = ctx.run(regs);
            } finally {
                inApp = false;
            }
            switch (kind) {
                case SYSCALL -> {
                    syscallReturn = false;
                    noRestart = false;
                    kernel.dispatcher().dispatch(this);
                    syscallReturn = !noRestart;
                }
                case SIGNAL -> handleFault();
                case INTERRUPTED -> { }
                case EXITED -> {
                    int status = ctx.stub().exitStatus();
                    int sig = (status & 0x7f) == 0 ? Signal.SIGKILL : status & 0x7f;
                    kernel.warn("stub of task " + tid + " died (host wait status 0x" + Integer.toHexString(status)
                            + "); killing the process with " + Signal.name(sig), null);
                    kernel.exitGroup(group, sig);
                    return;
                }
            }
        }
    }

    private void handleFault() {
        Stub stub = ctx.stub();
        int sig = stub.lastSignal();
        boolean fault = sig == Signal.SIGSEGV || sig == Signal.SIGBUS || sig == Signal.SIGFPE
                || sig == Signal.SIGILL || sig == Signal.SIGTRAP;
        if (!fault) {
            // A host signal aimed at the stub (a terminal's ^C, say): it belongs to the application.
            SigInfo s = SigInfo.kernel(sig);
            kernel.signalGroup(group, s);
            return;
        }
        if ((sig == Signal.SIGSEGV || sig == Signal.SIGBUS) && ctx.sync()) return; // stale host mapping
        // A write to a private file mapping's shared pages: copied now, the write is retried.
        if (sig == Signal.SIGSEGV && as.breakCopyOnWrite(stub.lastFaultAddress())) return;
        SigInfo s = new SigInfo(sig, stub.lastSigCode());
        s.addr = stub.lastFaultAddress();
        if (sig == Signal.SIGSEGV) {
            var v = as.vmaAt(s.addr);
            if (v != null && v.busOnAccess()) s = busError(s.addr); // past the end of a mapped file
        }
        if (Boolean.getBoolean("jvisor.debug")) {
            kernel.log().println("jvisor: task " + tid + " (" + group.comm + ") " + dev.jvisor.abi.linux.Signal.name(sig)
                    + " code " + s.code + " at 0x" + Long.toHexString(s.addr) + " rip 0x" + Long.toHexString(regs.rip())
                    + " vmas " + as.vmas().stream().map(v -> Long.toHexString(v.start()) + "-" + Long.toHexString(v.end()) + ":" + v.prot()).toList());
        }
        s.fromKernel = true;
        forceSignal(s);
    }

    private static SigInfo busError(long addr) {
        SigInfo s = new SigInfo(Signal.SIGBUS, 2 /* BUS_ADRERR */);
        s.addr = addr;
        return s;
    }

    /** The thread group's other live tasks see this one's exit; the clone flag said which futex to wake. */
    public void exitThread(int code) {
        kernel.exitThread(this, code);
        throw TaskExit.INSTANCE;
    }

    /** Delivers a synchronous signal that cannot be blocked or ignored away (force_sig_info). */
    public void forceSignal(SigInfo s) {
        long bit = Signal.bit(s.signo);
        SigAction act = group.handlers.get(s.signo);
        if ((sigMask & bit) != 0 || act.isIgnore()) {
            sigMask &= ~bit;
            if (act.isIgnore()) group.handlers.set(s.signo, SigAction.DEFAULT);
        }
        s.fromKernel = true;
        pending.add(s);
    }

    // ------------------------------------------------------------------ signals

    private void handleSignals() {
        while (true) {
            if (group.exiting || killedByExec) return;
            if (group.isStopped()) {
                waitWhileStopped();
                continue;
            }
            SigInfo s = pending.take(sigMask);
            if (s == null) s = group.pending.take(sigMask);
            if (s == null) break;
            if (s.signo == Signal.SIGKILL) {
                kernel.exitGroup(group, Signal.SIGKILL);
                return;
            }
            SigAction act = group.handlers.get(s.signo);
            if (act.isIgnore()) continue;
            if (act.isDefault()) {
                switch (Signal.defaultAction(s.signo)) {
                    case IGNORE, CONTINUE -> { continue; }
                    case STOP -> {
                        kernel.stopGroup(group, s.signo);
                        continue;
                    }
                    case TERMINATE, CORE -> {
                        kernel.exitGroup(group, s.signo);
                        return;
                    }
                }
            }
            fixupRestart(act);
            if (!SignalFrames.setup(this, s, act)) {
                // The frame could not be written: Linux kills with SIGSEGV.
                kernel.exitGroup(group, Signal.SIGSEGV);
                return;
            }
            if (act.has(Signal.SA_RESETHAND)) group.handlers.set(s.signo, SigAction.DEFAULT);
            return;
        }
        fixupRestart(null);
        if (savedMaskValid) {
            signalMask(savedMask);
            savedMaskValid = false;
        }
    }

    /** Decides what an interrupted syscall returns: restarts it or fails it with EINTR. */
    private void fixupRestart(SigAction handler) {
        if (!syscallReturn) return;
        syscallReturn = false;
        long rv = regs.rax();
        if (rv < -Errno.ERESTART_RESTARTBLOCK.number() || rv > -Errno.ERESTARTSYS.number()) return;
        int code = (int) -rv;
        boolean restart;
        if (code == Errno.ERESTARTSYS.number()) restart = handler == null || handler.has(Signal.SA_RESTART);
        else if (code == Errno.ERESTARTNOINTR.number()) restart = true;
        else restart = handler == null;
        if (restart) {
            // ERESTART_RESTARTBLOCK re-enters through restart_syscall(2), which resumes the saved operation.
            regs.rax(code == Errno.ERESTART_RESTARTBLOCK.number() ? dev.jvisor.abi.linux.Sysno.RESTART_SYSCALL : regs.origRax());
            regs.rip(regs.rip() - 2);
        } else {
            regs.rax(-Errno.EINTR.number());
        }
    }

    private void waitWhileStopped() {
        synchronized (sleepLock) {
            while (group.isStopped() && !group.exiting) {
                woken = false;
                try {
                    sleepLock.wait(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** An unblocked signal is pending, or the process is stopping or dying. */
    public boolean interruptPending() {
        if (group.exiting || killedByExec) return true;
        long m = sigMask;
        return (pending.mask() & ~m) != 0 || (group.pending.mask() & ~m) != 0 || group.isStopped();
    }

    /** Pending signals (task and process), for sigpending(2). */
    /** Whether this thread has exited. */
    public boolean exited() { return exited; }

    public long pendingMask() { return pending.mask() | group.pending.mask(); }

    /** Takes a pending signal from {@code set} (rt_sigtimedwait). */
    public SigInfo takeSignal(long set) {
        for (int sig = 1; sig <= Signal.NSIG; sig++) {
            if ((set & Signal.bit(sig)) == 0) continue;
            SigInfo s = pending.takeSignal(sig);
            if (s == null) s = group.pending.takeSignal(sig);
            if (s != null) return s;
        }
        return null;
    }

    void enqueue(SigInfo s) {
        pending.add(s);
        interrupt();
    }

    void discardPending(long set) {
        pending.discard(set);
    }

    // ------------------------------------------------------------------ sleeping

    /** Wakes the task if it sleeps, and stops its application code if it runs. */
    public void interrupt() {
        wake();
        if (inApp && ctx != null) ctx.stub().kick();
    }

    public void wake() {
        synchronized (sleepLock) {
            woken = true;
            sleepLock.notifyAll();
        }
    }

    /** Forgets earlier wake-ups; call before checking the condition you are about to sleep on. */
    public void prepareSleep() {
        synchronized (sleepLock) {
            woken = false;
        }
    }

    /**
     * Sleeps until {@link #wake}, a signal, or {@code deadlineNanos} (System.nanoTime; MAX_VALUE
     * for none). Returns false on timeout; throws ERESTARTSYS when interrupted by a signal.
     */
    public boolean sleep(long deadlineNanos) {
        if (ctx != null) ctx.sleeping();
        synchronized (sleepLock) {
            while (!woken) {
                if (interruptPending()) throw Errno.ERESTARTSYS.exception();
                long wait;
                if (deadlineNanos == Long.MAX_VALUE) {
                    wait = 0;
                } else {
                    wait = deadlineNanos - System.nanoTime();
                    if (wait <= 0) return false;
                }
                try {
                    if (wait == 0) sleepLock.wait();
                    else sleepLock.wait(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    throw Errno.EINTR.exception();
                }
            }
            woken = false;
            if (interruptPending()) throw Errno.ERESTARTSYS.exception();
            return true;
        }
    }

    /**
     * Blocks until {@code ready} holds, re-checking whenever {@code queue} is woken. Returns
     * false on timeout; throws ERESTARTSYS when a signal interrupts.
     */
    public boolean block(WaitQueue queue, BooleanSupplier ready, long deadlineNanos) {
        if (ready.getAsBoolean()) return true;
        queue.add(this);
        try {
            while (true) {
                prepareSleep();
                if (ready.getAsBoolean()) return true;
                if (!sleep(deadlineNanos)) return ready.getAsBoolean();
            }
        } finally {
            queue.remove(this);
        }
    }

    /** rt_sigreturn(2): returns the restored rax. */
    public long sigreturn() {
        // A call interrupted for a handler is never restarted later: restart_syscall(2) after a
        // handler returns EINTR, as Linux's restore_sigcontext arranges.
        restartBlock = null;
        return SignalFrames.restore(this);
    }

    // ------------------------------------------------------------------ exec

    /**
     * Replaces the process image: called by execve once the new image is loaded into {@code next}.
     */
    public void commitExec(AddressSpace next, long entry, long sp, String path, java.util.List<String> argv,
                           java.util.List<String> envp) {
        synchronized (kernel) {
            group.execed = true; // before close-on-exec fds close: a parent may be watching for that
        }
        // The robust futexes held go first, while their memory still exists (Linux: exec_mm_release).
        RobustFutexes.release(this);
        robustListHead = 0;
        AddressSpace old = as;
        as = next;
        if (ctx != null) ctx.switchTo(next);
        old.releaseUser();
        fds.closeOnExec();
        group.handlers = group.handlers.copy();
        group.handlers.resetForExec();
        group.posixTimers.deleteAll();
        altStack(0, 0, Signal.SS_DISABLE);
        regs.clearGeneral();
        regs.rip(entry);
        regs.rsp(sp);
        regs.fsBase(0);
        regs.gsBase(0);
        fp.reset();
        fpPending = true;
        int slash = path.lastIndexOf('/');
        group.comm(slash >= 0 ? path.substring(slash + 1) : path);
        group.exePath = path;
        group.auxv = readAuxv(next, sp);
        group.argv = java.util.List.copyOf(argv);
        group.envp = java.util.List.copyOf(envp);
        releaseVforkParent();
    }

    /**
     * The auxv pairs from a fresh initial stack: argc, argv pointers and NULL, envp pointers and
     * NULL, then (type, value) pairs up to and including AT_NULL.
     */
    private static byte[] readAuxv(AddressSpace as, long sp) {
        try {
            long p = sp + 8 + 8 * (as.readLong(sp) + 1);
            while (as.readLong(p) != 0) p += 8;
            long start = p + 8, end = start;
            for (int pairs = 0; pairs < 64; pairs++, end += 16) {
                if (as.readLong(end) == 0) {
                    end += 16;
                    break;
                }
            }
            return as.read(start, (int) (end - start));
        } catch (RuntimeException e) {
            return new byte[0]; // a stack we did not build; /proc/PID/auxv is then empty
        }
    }

    void releaseVforkParent() {
        CountDownLatch l = vforkDone;
        if (l != null) {
            vforkDone = null;
            l.countDown();
        }
    }

    @Override
    public String toString() { return "task " + tid + " (" + group.comm + ")"; }
}
