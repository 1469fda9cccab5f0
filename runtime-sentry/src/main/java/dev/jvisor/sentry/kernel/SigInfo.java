package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.linux.Signal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** One queued signal: siginfo_t's fields that jVisor produces (include/uapi/asm-generic/siginfo.h). */
public final class SigInfo {
    public final int signo;
    public int errno;
    public int code;
    public int pid;
    public int uid;
    public int status;
    public long addr;
    public long value;
    public int timerId;
    public int overrun;
    public long utime, stime;
    /** Called once when the signal leaves the pending queue; a POSIX timer stamps its overrun count here. */
    public java.util.function.Consumer<SigInfo> onTake;
    /** Sent by the sandbox's host side (runsc kill, a fault): bypasses init's protection. */
    public boolean fromKernel;

    public SigInfo(int signo, int code) {
        this.signo = signo;
        this.code = code;
    }

    public static SigInfo user(int signo, int pid, int uid) {
        SigInfo s = new SigInfo(signo, Signal.SI_USER);
        s.pid = pid;
        s.uid = uid;
        return s;
    }

    public static SigInfo kernel(int signo) {
        SigInfo s = new SigInfo(signo, Signal.SI_KERNEL);
        s.fromKernel = true;
        return s;
    }

    /** The 128-byte siginfo_t. */
    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(signo).putInt(errno).putInt(code).putInt(0);
        switch (signo) {
            case Signal.SIGCHLD -> b.putInt(pid).putInt(uid).putInt(status).putInt(0).putLong(utime).putLong(stime);
            case Signal.SIGSEGV, Signal.SIGBUS, Signal.SIGFPE, Signal.SIGILL, Signal.SIGTRAP -> b.putLong(addr);
            default -> {
                if (code == Signal.SI_TIMER) b.putInt(timerId).putInt(overrun).putLong(value);
                else b.putInt(pid).putInt(uid).putLong(value);
            }
        }
        return b.array();
    }

    /** Reads a siginfo_t supplied by the application (rt_sigqueueinfo). */
    public static SigInfo fromBytes(int signo, byte[] raw) {
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        SigInfo s = new SigInfo(signo, b.getInt(8));
        s.errno = b.getInt(4);
        s.pid = b.getInt(16);
        s.uid = b.getInt(20);
        s.value = b.getLong(24);
        return s;
    }
}
