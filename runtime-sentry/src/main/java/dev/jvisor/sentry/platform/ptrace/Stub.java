package dev.jvisor.sentry.platform.ptrace;

import dev.jvisor.sentry.host.Host;
import dev.jvisor.sentry.host.HostException;
import dev.jvisor.sentry.host.UnixSockets;
import dev.jvisor.sentry.mm.MemoryFile;
import dev.jvisor.sentry.mm.SharedMemory;
import dev.jvisor.sentry.platform.FpState;
import dev.jvisor.sentry.platform.Registers;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.jvisor.abi.linux.UnixSocketAbi.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

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
    /** Host syscalls injected so far (each a round trip to the stub). */
    private long injected;

    /** include/uapi/asm-generic/unistd.h */
    private static final int SYS_RECVMSG = 47;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final int HIGH_FD = 100;
    private static final int SCRATCH_IOVEC = 64, SCRATCH_BYTE = 96, SCRATCH_CONTROL = 128;

    /** The Sentry's end of the stub's channel ({@link StubImage#CHANNEL_FD} in the stub). */
    private final int channel;
    /** The stub's scratch page, once mapped. */
    private SharedMemory scratchMemory;

    private Stub(int pid, int channel) {
        this.pid = pid;
        this.channel = channel;
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
        int[] pair = UnixSockets.datagramPair();
        int channel = pair[0], stubEnd;
        try {
            // Above the fds the stub receives, so that the spawn's dup2 order cannot clobber it.
            stubEnd = Host.fcntl(pair[1], F_DUPFD_CLOEXEC, HIGH_FD);
        } finally {
            Host.close(pair[1]);
        }
        int pid;
        try {
            pid = Host.posixSpawn("/proc/self/fd/" + StubImage.IMAGE_FD, new String[] {"jvisor-stub"},
                    new int[][] {{memoryFd, StubImage.MEMORY_FD}, {StubFile.fd(), StubImage.IMAGE_FD}, {stubEnd, StubImage.CHANNEL_FD}},
                    StubImage.CHANNEL_FD + 1);
        } catch (RuntimeException e) {
            Host.close(channel);
            throw e;
        } finally {
            Host.close(stubEnd);
        }
        Stub stub = new Stub(pid, channel);
        try {
            int status = Host.wait4(pid, WALL);
            if (!stopped(status) || stopSignal(status) != SIGTRAP) {
                throw new IllegalStateException("stub " + pid + " did not start: wait status 0x" + Integer.toHexString(status));
            }
            Host.setOptions(pid, Host.PTRACE_O_EXITKILL | Host.PTRACE_O_TRACESYSGOOD);
            stub.getRegs(stub.scratch);
            stub.inject(3 /* close */, StubImage.IMAGE_FD);
            stub.inject(11 /* munmap */, 0, StubImage.BASE);
            if (HostVdso.areaLength() > 0) stub.moveVdso(stub.scratch.rsp());
            stub.inject(11 /* munmap */, StubImage.SCRATCH, HostVdso.AREA - StubImage.SCRATCH);
            stub.inject(11 /* munmap */, Layout.STUB_END, Layout.TOP - Layout.STUB_END);
            return stub;
        } catch (RuntimeException e) {
            stub.kill();
            throw e;
        }
    }

    private static final int SYS_MREMAP = 25, MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2;
    private static final long AT_NULL = 0;

    /**
     * Moves the host vDSO's mappings from where the kernel put them in this stub to {@link
     * HostVdso#AREA}, keeping their distances. The stub is at its first stop, its stack pointer
     * {@code sp} still at argc, so its auxv (where the kernel says where the vDSO is) follows argv
     * and envp there.
     */
    private void moveVdso(long sp) {
        long at = sp + 8 * (Host.peekData(pid, sp) + 2); // past argc, argv[] and its NULL
        for (int i = 0; i < 1024 && Host.peekData(pid, at) != 0; i++) at += 8;
        long ehdr = 0;
        at += 8;
        for (int n = 0; n < 64; n++, at += 16) {
            long key = Host.peekData(pid, at);
            if (key == AT_NULL) break;
            if (key == HostVdso.AT_SYSINFO_EHDR) ehdr = Host.peekData(pid, at + 8);
        }
        if (ehdr == 0) throw new IllegalStateException("stub " + pid + " has no vDSO to move");
        long from = ehdr - HostVdso.vdsoOffset();
        for (HostVdso.Piece p : HostVdso.pieces()) {
            long to = HostVdso.AREA + p.offset();
            long r = inject(SYS_MREMAP, from + p.offset(), p.length(), p.length(), MREMAP_MAYMOVE | MREMAP_FIXED, to);
            if (r != to) {
                throw new IllegalStateException("stub " + pid + ": mremap of " + p.name() + " to 0x" + Long.toHexString(to)
                        + " failed" + (r < 0 ? " with errno " + (-r) : ""));
            }
        }
    }

    /**
     * Gives the stub its own descriptors for the host files {@code fds} (passed over its channel
     * with SCM_RIGHTS and received by an injected recvmsg), so that an injected mmap can map
     * them; returns their numbers in the stub, where the caller closes them once mapped.
     */
    public int[] installFds(int[] fds) {
        checkOwner();
        MemorySegment page = scratchPage();
        int[] out = new int[fds.length];
        for (int from = 0; from < fds.length; from += UnixSockets.MAX_FDS) {
            int n = Math.min(UnixSockets.MAX_FDS, fds.length - from);
            UnixSockets.send(channel, new byte[] {0}, java.util.Arrays.copyOfRange(fds, from, from + n));
            page.set(JAVA_LONG, MSG_CONTROLLEN, cmsgSpace(4 * UnixSockets.MAX_FDS));
            page.set(JAVA_INT, MSG_FLAGS, 0);
            page.set(JAVA_INT, SCRATCH_CONTROL + CMSG_LEVEL, 0);
            long r = inject(SYS_RECVMSG, StubImage.CHANNEL_FD, StubImage.SCRATCH, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
            long cmsgLen = page.get(JAVA_LONG, SCRATCH_CONTROL + CMSG_LEN);
            if (r != 1 || page.get(JAVA_INT, SCRATCH_CONTROL + CMSG_LEVEL) != SOL_SOCKET
                    || page.get(JAVA_INT, SCRATCH_CONTROL + CMSG_TYPE) != SCM_RIGHTS || cmsgLen != CMSGHDR_SIZE + 4L * n) {
                throw new IllegalStateException("stub " + pid + ": passing " + n + " fds failed (recvmsg " + r + ", flags 0x"
                        + Integer.toHexString(page.get(JAVA_INT, MSG_FLAGS)) + ")");
            }
            for (int i = 0; i < n; i++) out[from + i] = page.get(JAVA_INT, SCRATCH_CONTROL + CMSGHDR_SIZE + 4L * i);
        }
        return out;
    }

    /** The scratch page, mapped into the stub and laid out for {@link #installFds}' recvmsg on first use. */
    private MemorySegment scratchPage() {
        if (scratchMemory == null) {
            SharedMemory m = SharedMemory.allocate(MemoryFile.PAGE);
            long r = inject(9 /* mmap */, StubImage.SCRATCH, MemoryFile.PAGE, 3 /* PROT_READ|PROT_WRITE */,
                    0x11 /* MAP_SHARED|MAP_FIXED */, StubImage.MEMORY_FD, m.fileOffset());
            if (r != StubImage.SCRATCH) {
                m.release();
                throw new IllegalStateException("stub " + pid + ": mapping its scratch page failed with " + r);
            }
            MemorySegment page = m.segment();
            // struct msghdr at 0: one iovec (at 64) of one byte (at 96), the control buffer at 128.
            page.set(JAVA_LONG, MSG_IOV, StubImage.SCRATCH + SCRATCH_IOVEC);
            page.set(JAVA_LONG, MSG_IOVLEN, 1);
            page.set(JAVA_LONG, MSG_CONTROL, StubImage.SCRATCH + SCRATCH_CONTROL);
            page.set(JAVA_LONG, SCRATCH_IOVEC, StubImage.SCRATCH + SCRATCH_BYTE);
            page.set(JAVA_LONG, SCRATCH_IOVEC + 8, 1);
            scratchMemory = m;
        }
        return scratchMemory.segment();
    }

    public int pid() { return pid; }

    /** How many host syscalls were injected into this stub so far. */
    long injected() { return injected; }

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
        injected++;
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
        UnixSockets.closeQuietly(channel);
        // A killed process runs no more code: its scratch page may go back at once.
        if (scratchMemory != null) scratchMemory.release();
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
