package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.linux.ErrnoException;
import dev.jvisor.abi.linux.Signal;
import dev.jvisor.sentry.platform.FpState;
import dev.jvisor.sentry.platform.Registers;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Builds the x86-64 {@code struct rt_sigframe} on the application stack when a handler runs,
 * and undoes it in rt_sigreturn (arch/x86/kernel/signal_64.c; layouts from
 * arch/x86/include/uapi/asm/sigcontext.h and include/uapi/asm-generic/ucontext.h):
 * <pre>
 *   0    pretcode (sa_restorer)
 *   8    struct ucontext: uc_flags, uc_link, uc_stack (24), uc_mcontext (struct sigcontext, 256), uc_sigmask (8)
 *   312  siginfo_t (128)
 * </pre>
 * followed, 64-byte aligned above it, by the 512-byte FXSAVE area uc_mcontext.fpstate points to.
 */
final class SignalFrames {
    private SignalFrames() {}

    private static final int UCONTEXT = 8, STACK = UCONTEXT + 16, MCONTEXT = UCONTEXT + 40,
            SIGMASK = MCONTEXT + 256, SIGINFO = UCONTEXT + 304, FRAME_SIZE = SIGINFO + 128;
    private static final long UC_SIGCONTEXT_SS = 0x2, UC_STRICT_RESTORE_SS = 0x4;
    /** EFLAGS bits a handler may change through its sigcontext (FIX_EFLAGS in signal.c). */
    private static final long FIX_EFLAGS = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x400 | 0x800 | 0x4000 | 0x10000 | 0x40000;

    /** Pushes a frame and points the task at the handler. False if the stack is unusable. */
    static boolean setup(Task t, SigInfo s, SigAction act) {
        Registers r = t.regs;
        if (!act.has(Signal.SA_RESTORER)) return false;
        boolean onAlt = t.onAltStack();
        long sp = r.rsp();
        boolean switchToAlt = act.has(Signal.SA_ONSTACK) && (t.altFlags & Signal.SS_DISABLE) == 0 && !onAlt && t.altSize > 0;
        if (switchToAlt) sp = t.altSp + t.altSize;
        else sp -= 128; // the red zone
        t.ctx.getFpState(t.fp);
        sp = (sp - FpState.SIZE) & -64L;
        long fpAddr = sp;
        sp = (((sp - FRAME_SIZE) + 8) & -16L) - 8;
        long frame = sp;

        ByteBuffer b = ByteBuffer.allocate(FRAME_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, act.restorer());
        b.putLong(UCONTEXT, UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS);
        b.putLong(UCONTEXT + 8, 0);
        int ssFlags = (t.altFlags & Signal.SS_DISABLE) != 0 ? Signal.SS_DISABLE : (onAlt ? Signal.SS_ONSTACK : 0);
        b.putLong(STACK, t.altSp).putInt(STACK + 8, ssFlags).putLong(STACK + 16, t.altSize);
        int[] order = Registers.SIGCONTEXT_ORDER;
        for (int i = 0; i < order.length; i++) b.putLong(MCONTEXT + 8 * i, r.get(order[i]));
        b.putShort(MCONTEXT + 144, (short) r.get(17));                 // cs
        b.putShort(MCONTEXT + 150, (short) r.get(20));                 // ss
        long oldMask = t.savedMaskValid ? t.savedMask : t.sigMask;
        b.putLong(MCONTEXT + 176, oldMask);                             // oldmask
        if (s.signo == Signal.SIGSEGV || s.signo == Signal.SIGBUS) b.putLong(MCONTEXT + 184, s.addr); // cr2
        b.putLong(MCONTEXT + 192, fpAddr);                              // fpstate
        b.putLong(SIGMASK, oldMask);
        b.put(SIGINFO, s.toBytes());

        byte[] fx = new byte[(int) FpState.SIZE];
        MemorySegment.copy(t.fp.segment(), ValueLayout.JAVA_BYTE, 0, fx, 0, fx.length);
        try {
            t.as.write(fpAddr, fx, 0, fx.length);
            t.as.write(frame, b.array(), 0, FRAME_SIZE);
        } catch (ErrnoException e) {
            return false;
        }

        r.rsp(frame);
        r.rip(act.handler());
        r.rdi(s.signo);
        r.rsi(frame + SIGINFO);
        r.rdx(frame + UCONTEXT);
        r.rax(0);
        r.eflags(r.eflags() & ~(0x100L | 0x400L | 0x10000L)); // clear TF, DF, RF
        long mask = t.sigMask | act.mask();
        if (!act.has(Signal.SA_NODEFER)) mask |= Signal.bit(s.signo);
        t.signalMask(mask);
        t.savedMaskValid = false;
        if (switchToAlt && (t.altFlags & Signal.SS_AUTODISARM) != 0) t.altStack(0, 0, Signal.SS_DISABLE);
        t.fp.reset();
        t.fpPending = true;
        return true;
    }

    /** rt_sigreturn(2): restores what {@link #setup} saved; returns the restored rax. */
    static long restore(Task t) {
        Registers r = t.regs;
        long frame = r.rsp() - 8;
        byte[] raw = t.as.read(frame, FRAME_SIZE);
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        long eflags = r.eflags();
        int[] order = Registers.SIGCONTEXT_ORDER;
        for (int i = 0; i < order.length; i++) r.set(order[i], b.getLong(MCONTEXT + 8 * i));
        r.eflags((eflags & ~FIX_EFLAGS) | (b.getLong(MCONTEXT + 136) & FIX_EFLAGS));
        r.origRax(-1);
        t.signalMask(b.getLong(SIGMASK));
        long ssSp = b.getLong(STACK);
        int ssFlags = b.getInt(STACK + 8);
        long ssSize = b.getLong(STACK + 16);
        if (!t.onAltStack()) {
            if ((ssFlags & Signal.SS_DISABLE) != 0) t.altStack(0, 0, Signal.SS_DISABLE);
            else if (ssSize >= Signal.MINSIGSTKSZ) t.altStack(ssSp, ssSize, ssFlags & Signal.SS_AUTODISARM);
        }
        long fpAddr = b.getLong(MCONTEXT + 192);
        if (fpAddr != 0) {
            byte[] fx = t.as.read(fpAddr, (int) FpState.SIZE);
            MemorySegment.copy(fx, 0, t.fp.segment(), ValueLayout.JAVA_BYTE, 0, fx.length);
            // MXCSR bits outside the supported mask would make PTRACE_SETFPREGS fail: drop them.
            int mxcsr = t.fp.segment().get(ValueLayout.JAVA_INT_UNALIGNED, 24);
            t.fp.segment().set(ValueLayout.JAVA_INT_UNALIGNED, 24, mxcsr & 0xffff);
            t.fp.segment().set(ValueLayout.JAVA_INT_UNALIGNED, 28, 0xffff);
        } else {
            t.fp.reset();
        }
        t.fpPending = true;
        t.suppressRestart();
        return r.rax();
    }
}
