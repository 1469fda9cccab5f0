package dev.jvisor.sentry.platform;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The x87/SSE state of one task: the 512-byte FXSAVE area ({@code struct user_i387_struct},
 * arch/x86/include/asm/user_64.h), as PTRACE_GETFPREGS returns it and as a signal frame holds it.
 */
public final class FpState {
    public static final long SIZE = 512;
    private final MemorySegment seg = Arena.ofAuto().allocate(SIZE, 64);

    public MemorySegment segment() { return seg; }

    public void copyFrom(FpState other) { MemorySegment.copy(other.seg, 0, seg, 0, SIZE); }

    /** The state after execve: x87 control word 0x37f, MXCSR 0x1f80, everything else clear. */
    public void reset() {
        seg.fill((byte) 0);
        seg.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) 0x37f);
        seg.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 24, 0x1f80);
        seg.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 28, 0xffff); // MXCSR_MASK
    }
}
