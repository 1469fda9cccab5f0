package dev.jvisor.sentry.platform;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The general-purpose registers of one task, laid out as the kernel's
 * {@code struct user_regs_struct} (arch/x86/include/asm/user_64.h) so that ptrace can read and
 * write them in one call. The Sentry works on a Java copy: {@link #load} takes in what the kernel
 * wrote to {@link #segment}, {@link #store} puts the copy there for the kernel to read. One bulk
 * copy per ptrace call costs less than a native memory access per register, most of all before
 * the JIT has compiled the syscall path.
 */
public final class Registers {
    public static final long SIZE = 27 * 8;
    // Field indexes of struct user_regs_struct.
    static final int R15 = 0, R14 = 1, R13 = 2, R12 = 3, RBP = 4, RBX = 5, R11 = 6, R10 = 7, R9 = 8,
            R8 = 9, RAX = 10, RCX = 11, RDX = 12, RSI = 13, RDI = 14, ORIG_RAX = 15, RIP = 16, CS = 17,
            EFLAGS = 18, RSP = 19, SS = 20, FS_BASE = 21, GS_BASE = 22, DS = 23, ES = 24, FS = 25, GS = 26;

    private static final int COUNT = (int) (SIZE / 8);

    private final MemorySegment seg;
    private final long[] v = new long[COUNT];

    public Registers() {
        this.seg = Arena.ofAuto().allocate(SIZE, 16);
    }

    /** The raw struct, for the platform's ptrace calls; see {@link #load} and {@link #store}. */
    public MemorySegment segment() { return seg; }

    /** Takes in the registers the kernel wrote to {@link #segment} (after PTRACE_GETREGS). */
    public void load() { MemorySegment.copy(seg, JAVA_LONG, 0, v, 0, COUNT); }

    /** Writes the registers to {@link #segment} for the kernel (before PTRACE_SETREGS); returns it. */
    public MemorySegment store() {
        MemorySegment.copy(v, 0, seg, JAVA_LONG, 0, COUNT);
        return seg;
    }

    public long get(int index) { return v[index]; }
    public void set(int index, long value) { v[index] = value; }

    public void copyFrom(Registers other) { System.arraycopy(other.v, 0, v, 0, COUNT); }

    public long rax() { return get(RAX); }
    public void rax(long v) { set(RAX, v); }
    public long origRax() { return get(ORIG_RAX); }
    public void origRax(long v) { set(ORIG_RAX, v); }
    public long rdi() { return get(RDI); }
    public void rdi(long v) { set(RDI, v); }
    public long rsi() { return get(RSI); }
    public void rsi(long v) { set(RSI, v); }
    public long rdx() { return get(RDX); }
    public void rdx(long v) { set(RDX, v); }
    public long r10() { return get(R10); }
    public void r10(long v) { set(R10, v); }
    public long r8() { return get(R8); }
    public void r8(long v) { set(R8, v); }
    public long r9() { return get(R9); }
    public void r9(long v) { set(R9, v); }
    public long rcx() { return get(RCX); }
    public void rcx(long v) { set(RCX, v); }
    public long r11() { return get(R11); }
    public void r11(long v) { set(R11, v); }
    public long rip() { return get(RIP); }
    public void rip(long v) { set(RIP, v); }
    public long rsp() { return get(RSP); }
    public void rsp(long v) { set(RSP, v); }
    public long rbp() { return get(RBP); }
    public long rbx() { return get(RBX); }
    public long eflags() { return get(EFLAGS); }
    public void eflags(long v) { set(EFLAGS, v); }
    public long fsBase() { return get(FS_BASE); }
    public void fsBase(long v) { set(FS_BASE, v); }
    public long gsBase() { return get(GS_BASE); }
    public void gsBase(long v) { set(GS_BASE, v); }

    /** The six syscall arguments in the x86-64 syscall ABI order: rdi, rsi, rdx, r10, r8, r9. */
    public long arg(int i) {
        return switch (i) {
            case 0 -> get(RDI);
            case 1 -> get(RSI);
            case 2 -> get(RDX);
            case 3 -> get(R10);
            case 4 -> get(R8);
            case 5 -> get(R9);
            default -> throw new IllegalArgumentException("syscall argument " + i);
        };
    }

    /**
     * The general registers in the order of {@code struct sigcontext} (arch/x86/include/uapi/asm/sigcontext.h):
     * r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags.
     */
    public static final int[] SIGCONTEXT_ORDER = {R8, R9, R10, R11, R12, R13, R14, R15, RDI, RSI, RBP, RBX, RDX, RAX, RCX, RSP, RIP, EFLAGS};

    /** Clears every register (execve) but keeps the segment selectors the kernel requires. */
    public void clearGeneral() {
        long cs = get(CS), ss = get(SS), ds = get(DS), es = get(ES), fs = get(FS), gs = get(GS);
        java.util.Arrays.fill(v, 0);
        // 64-bit user code and stack selectors (__USER_CS, __USER_DS in arch/x86/include/asm/segment.h).
        set(CS, cs == 0 ? 0x33 : cs); set(SS, ss == 0 ? 0x2b : ss); set(DS, ds); set(ES, es); set(FS, fs); set(GS, gs);
        set(EFLAGS, 0x202); // IF set, reserved bit 1
    }
}
