package dev.jvisor.seccomp;

import static dev.jvisor.abi.Seccomp.AUDIT_ARCH_X86_64;
import static dev.jvisor.abi.Seccomp.BPF_JEQ_K;
import static dev.jvisor.abi.Seccomp.BPF_JGE_K;
import static dev.jvisor.abi.Seccomp.BPF_JSET_K;
import static dev.jvisor.abi.Seccomp.BPF_LD_W_ABS;
import static dev.jvisor.abi.Seccomp.BPF_MAXINSNS;
import static dev.jvisor.abi.Seccomp.BPF_RET_K;
import static dev.jvisor.abi.Seccomp.DATA_ARCH;
import static dev.jvisor.abi.Seccomp.DATA_ARGS;
import static dev.jvisor.abi.Seccomp.DATA_NR;
import static dev.jvisor.abi.Seccomp.SOCK_FILTER_SIZE;
import static dev.jvisor.abi.Seccomp.X32_SYSCALL_BIT;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Assembles {@link SeccompRules} into a classic BPF program. Anything that is not an x86-64
 * system call (another architecture, the x32 ABI) kills the process first: the call numbers of
 * those ABIs mean other calls, so no rule could speak for them. Then each rule is a compare
 * followed by its return, in the order killed, failing, allowed, by-argument, and last the
 * default. No jump ever reaches further than four instructions, well within a jump's 8-bit offset,
 * however many rules there are.
 */
public final class SeccompAssembler {
    /** One {@code struct sock_filter}: code[2] jt[1] jf[1] k[4]. */
    public record Instruction(int code, int jt, int jf, int k) {}

    private SeccompAssembler() {}

    /** The program; throws IllegalArgumentException if it would exceed BPF_MAXINSNS. */
    public static List<Instruction> assemble(SeccompRules rules) {
        List<Instruction> p = new ArrayList<>();
        p.add(new Instruction(BPF_LD_W_ABS, 0, 0, DATA_ARCH));
        p.add(new Instruction(BPF_JEQ_K, 1, 0, AUDIT_ARCH_X86_64));
        p.add(new Instruction(BPF_RET_K, 0, 0, SeccompRules.KILL));
        p.add(new Instruction(BPF_LD_W_ABS, 0, 0, DATA_NR));
        p.add(new Instruction(BPF_JGE_K, 0, 1, X32_SYSCALL_BIT));
        p.add(new Instruction(BPF_RET_K, 0, 0, SeccompRules.KILL));
        for (int nr : rules.killed()) returnIfCall(p, nr, SeccompRules.KILL);
        for (Map.Entry<Integer, Integer> e : rules.failing().entrySet()) {
            returnIfCall(p, e.getKey(), SeccompRules.fail(e.getValue()));
        }
        for (int nr : rules.allowed()) returnIfCall(p, nr, SeccompRules.ALLOW);
        // Each block loads the argument only on its own matching path, and that path always
        // returns, so the accumulator still holds the call number for the next block. args[0]'s
        // low 32 bits come first on little-endian x86-64.
        for (Map.Entry<Integer, SeccompRules.Arg0Test> e : rules.byArg0().entrySet()) {
            SeccompRules.Arg0Test test = e.getValue();
            p.add(new Instruction(BPF_JEQ_K, 0, 4, e.getKey()));
            p.add(new Instruction(BPF_LD_W_ABS, 0, 0, DATA_ARGS));
            p.add(new Instruction(BPF_JSET_K, 0, 1, (int) test.mask()));
            p.add(new Instruction(BPF_RET_K, 0, 0, test.ifAnySet()));
            p.add(new Instruction(BPF_RET_K, 0, 0, test.ifNoneSet()));
        }
        p.add(new Instruction(BPF_RET_K, 0, 0, rules.otherwise()));
        if (p.size() > BPF_MAXINSNS) {
            throw new IllegalArgumentException("filter of " + p.size() + " instructions is too long");
        }
        return List.copyOf(p);
    }

    /** The program as the kernel reads it: 8 bytes per instruction, little-endian. */
    public static byte[] encode(List<Instruction> program) {
        ByteBuffer b = ByteBuffer.allocate(program.size() * SOCK_FILTER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (Instruction i : program) b.putShort((short) i.code()).put((byte) i.jt()).put((byte) i.jf()).putInt(i.k());
        return b.array();
    }

    private static void returnIfCall(List<Instruction> p, int nr, int action) {
        p.add(new Instruction(BPF_JEQ_K, 0, 1, nr));
        p.add(new Instruction(BPF_RET_K, 0, 0, action));
    }
}
