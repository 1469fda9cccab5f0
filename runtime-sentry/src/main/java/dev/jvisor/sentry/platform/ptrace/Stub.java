package dev.jvisor.sentry.platform.ptrace;

import dev.jvisor.sentry.host.Host;
import dev.jvisor.sentry.host.HostException;
import dev.jvisor.sentry.platform.FpState;
import dev.jvisor.sentry.platform.Registers;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * One traced stub process: an application address space that the Sentry drives. Every method
 * must be called from the OS thread that spawned the stub — ptrace binds a tracee to one tracer
 * thread — and the class checks it.
 */
public final class Stub implements AutoCloseable {
    private static final int SIGTRAP = 5, SIGKILL = 9;
    private static final int WALL = 0x40000000; // __WALL, include/uapi/linux/wait.h

    private final int pid;
    private final Thread owner;
    private final Registers scratch = new Registers();
    private final MemorySegment siginfo = Arena.ofAuto().allocate(128, 8);
    private boolean dead;
    private boolean kickPending;

    private Stub(int pid) {
        this.pid = pid;
        this.owner = Thread.currentThread();
    }

    /**
     * Spawns a stub from the calling thread, which becomes its tracer, waits for its first stop
     * and strips its address space down to the stub page.
     *
     * @param memoryFd the Sentry's fd of the application memory file; the stub gets it as fd 3
     */
    public static Stub spawn(int memoryFd) {
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("a stub must be traced by a platform thread");
        }
        int pid = Host.posixSpawn("/proc/self/fd/" + StubImage.IMAGE_FD, new String[] {"jvisor-stub"},
                new int[][] {{memoryFd, StubImage.MEMORY_FD}, {StubFile.fd(), StubImage.IMAGE_FD}},
                StubImage.IMAGE_FD + 1);
        Stub stub = new Stub(pid);
        try {
            int status = Host.wait4(pid, WALL);
            if (!stopped(status) || stopSignal(status) != SIGTRAP) {
                throw new IllegalStateException("stub " + pid + " did not start: wait status 0x" + Integer.toHexString(status));
            }
            Host.setOptions(pid, Host.PTRACE_O_EXITKILL | Host.PTRACE_O_TRACESYSGOOD);
            stub.getRegs(stub.scratch);
            stub.inject(3 /* close */, StubImage.IMAGE_FD);
            stub.inject(11 /* munmap */, 0, StubImage.BASE);
            stub.inject(11 /* munmap */, StubImage.END, Layout.TOP - StubImage.END);
            return stub;
        } catch (RuntimeException e) {
            stub.kill();
            throw e;
        }
    }

    public int pid() { return pid; }

    private void getRegs(Registers r) {
        Host.getRegs(pid, r.segment());
        r.load();
    }

    /**
     * Runs a host syscall inside the stub at its injection site and returns its raw result
     * (negative errno on failure). The application's registers are not touched: callers hold
     * them separately and restore them with {@link #resume}.
     */
    public long inject(int nr, long... args) {
        checkOwner();
        Registers r = scratch;
        r.rax(nr);
        r.origRax(-1);
        r.rdi(args.length > 0 ? args[0] : 0);
        r.rsi(args.length > 1 ? args[1] : 0);
        r.rdx(args.length > 2 ? args[2] : 0);
        r.r10(args.length > 3 ? args[3] : 0);
        r.r8(args.length > 4 ? args[4] : 0);
        r.r9(args.length > 5 ? args[5] : 0);
        r.rip(StubImage.SYSCALL_SITE);
        Host.setRegs(pid, r.store());
        Host.cont(pid, 0);
        int status = Host.wait4(pid, WALL);
        while (stopped(status) && stopSignal(status) == KICK_SIGNAL) {
            // A kick raced with the injection: remember it, finish the injected call.
            kickPending = true;
            Host.cont(pid, 0);
            status = Host.wait4(pid, WALL);
        }
        if (!stopped(status) || stopSignal(status) != SIGTRAP) {
            dead = !stopped(status);
            throw new IllegalStateException("stub " + pid + " failed during injected syscall " + nr
                    + ": wait status 0x" + Integer.toHexString(status));
        }
        getRegs(r);
        return r.rax();
    }

    /** What stopped the application. */
    public enum StopKind { SYSCALL, SIGNAL, INTERRUPTED, EXITED }

    /** The host signal the Sentry sends a stub to stop it running application code (ignored by default, so harmless). */
    public static final int KICK_SIGNAL = 23; // SIGURG

    /** Makes a running stub stop soon and report INTERRUPTED; callable from any thread. */
    public void kick() {
        if (dead) return;
        try {
            Host.kill(pid, KICK_SIGNAL);
        } catch (HostException ignored) {
            // the stub is gone; its tracer will see that
        }
    }

    /**
     * Loads {@code regs} into the stub and runs application code until the next syscall
     * (PTRACE_SYSEMU: the host skips it), signal or death. On return {@code regs} holds the
     * registers at the stop.
     */
    public StopKind resume(Registers regs) {
        checkOwner();
        if (kickPending) {
            kickPending = false;
            return StopKind.INTERRUPTED;
        }
        Host.setRegs(pid, regs.store());
        while (true) {
            Host.sysemu(pid, 0);
            int status = Host.wait4(pid, WALL);
            if (stopped(status)) {
                int sig = stopSignal(status);
                if (sig == (SIGTRAP | 0x80)) {
                    getRegs(regs);
                    return StopKind.SYSCALL;
                }
                if (sig == 19 || sig == 20 || sig == 21 || sig == 22) {
                    continue; // a host job-control stop aimed at the stub: not the application's
                }
                getRegs(regs);
                if (sig == KICK_SIGNAL) return StopKind.INTERRUPTED;
                lastSignal = sig;
                Host.getSigInfo(pid, siginfo);
                return StopKind.SIGNAL;
            }
            dead = true;
            lastExitStatus = status;
            return StopKind.EXITED;
        }
    }

    /**
     * Runs application code with PTRACE_CONT instead of SYSEMU, so a syscall it makes reaches
     * the host — and the stub's seccomp filter. Only for tests that prove the second wall holds.
     */
    StopKind resumeUnemulatedForTest(Registers regs) {
        checkOwner();
        Host.setRegs(pid, regs.store());
        Host.cont(pid, 0);
        int status = Host.wait4(pid, WALL);
        if (stopped(status)) {
            lastSignal = stopSignal(status);
            getRegs(regs);
            return StopKind.SIGNAL;
        }
        dead = true;
        lastExitStatus = status;
        return StopKind.EXITED;
    }

    private int lastSignal;
    private int lastExitStatus;

    /** The host signal of the last SIGNAL stop (a fault: SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP). */
    public int lastSignal() { return lastSignal; }

    /** The siginfo of the last SIGNAL stop, as the kernel's {@code siginfo_t} (128 bytes). */
    public MemorySegment lastSigInfo() { return siginfo; }

    /** si_code of the last signal stop. */
    public int lastSigCode() { return siginfo.get(JAVA_INT, 8); }

    /** si_addr of the last fault. */
    public long lastFaultAddress() { return siginfo.get(java.lang.foreign.ValueLayout.JAVA_LONG, 16); }

    /** The host wait status when the stub died. */
    public int exitStatus() { return lastExitStatus; }

    public void getFpRegs(FpState fp) { checkOwner(); Host.getFpRegs(pid, fp.segment()); }

    public void setFpRegs(FpState fp) { checkOwner(); Host.setFpRegs(pid, fp.segment()); }

    /** Kills and reaps the stub. Safe to call more than once and from the owning thread only. */
    public void kill() {
        if (dead) return;
        dead = true;
        try {
            Host.kill(pid, SIGKILL);
        } catch (HostException ignored) {
            // already gone
        }
        if (Thread.currentThread() == owner) {
            try {
                while (true) {
                    int status = Host.wait4(pid, WALL);
                    if (!stopped(status)) break;
                }
            } catch (HostException ignored) {
                // reaped already (ECHILD)
            }
        }
    }

    @Override
    public void close() { kill(); }

    private void checkOwner() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("stub " + pid + " is traced by " + owner.getName()
                    + ", not " + Thread.currentThread().getName());
        }
    }

    private static boolean stopped(int status) { return (status & 0xff) == 0x7f; }

    private static int stopSignal(int status) { return (status >> 8) & 0xff; }
}
