package dev.jvisor.gofer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * Assembles a seccomp BPF program: kill anything that is not an x86-64 system call (other
 * architectures, the x32 ABI), kill the listed dangerous calls, fail some with a chosen errno,
 * allow the listed needed ones (some only with a flag in their first argument), and fail
 * everything else with a default errno. The program is a flat list of compare-and-return pairs,
 * so no jump ever needs more than one instruction of reach.
 */
final class SeccompFilter {
    // struct seccomp_data offsets, <linux/seccomp.h>.
    static final int DATA_NR = 0;
    static final int DATA_ARCH = 4;
    /** args[0], low 32 bits on little-endian x86-64. */
    static final int DATA_ARG0_LOW = 16;
    /** AUDIT_ARCH_X86_64, {@code <linux/audit.h>}: EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE. */
    static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    /** __X32_SYSCALL_BIT, {@code <asm/unistd.h>}. */
    static final int X32_SYSCALL_BIT = 0x40000000;

    // Return actions, <linux/seccomp.h>.
    static final int RET_KILL_PROCESS = 0x80000000;
    static final int RET_ERRNO = 0x00050000;
    static final int RET_ALLOW = 0x7fff0000;

    // Classic BPF opcodes, <linux/bpf_common.h>.
    static final int BPF_LD_W_ABS = 0x00 | 0x00 | 0x20;   // BPF_LD | BPF_W | BPF_ABS
    static final int BPF_JEQ_K = 0x05 | 0x10 | 0x00;      // BPF_JMP | BPF_JEQ | BPF_K
    static final int BPF_JGE_K = 0x05 | 0x30 | 0x00;      // BPF_JMP | BPF_JGE | BPF_K
    static final int BPF_JSET_K = 0x05 | 0x40 | 0x00;     // BPF_JMP | BPF_JSET | BPF_K
    static final int BPF_RET_K = 0x06 | 0x00;             // BPF_RET | BPF_K

    /** The kernel's limit on a filter's length (BPF_MAXINSNS). */
    static final int MAX_INSTRUCTIONS = 4096;

    /** One {@code struct sock_filter}: code[2] jt[1] jf[1] k[4]. */
    record Instruction(int code, int jt, int jf, int k) {}

    private SeccompFilter() {}

    /**
     * What the filter does with each system call number.
     *
     * @param allowed       allowed unconditionally
     * @param killed        kill the whole process
     * @param errnos        fail with the given errno instead of running (e.g. ENOSYS to make the
     *                      C library fall back to an older call the filter can inspect)
     * @param allowedIfArg0 allowed only when the first argument has one of the given bits set
     * @param deniedErrno   what every other call fails with
     */
    record Rules(SortedSet<Integer> allowed, SortedSet<Integer> killed, SortedMap<Integer, Integer> errnos,
                 SortedMap<Integer, Integer> allowedIfArg0, int deniedErrno) {}

    static List<Instruction> program(Rules rules) {
        Set<Integer> seen = new HashSet<>();
        for (Collection<Integer> c : List.of(rules.allowed(), rules.killed(), rules.errnos().keySet(),
                rules.allowedIfArg0().keySet())) {
            for (int nr : c) {
                if (!seen.add(nr)) {
                    throw new IllegalArgumentException("system call " + nr + " has two rules");
                }
            }
        }
        int denied = RET_ERRNO | (rules.deniedErrno() & 0xFFFF);
        List<Instruction> p = new ArrayList<>();
        p.add(new Instruction(BPF_LD_W_ABS, 0, 0, DATA_ARCH));
        p.add(new Instruction(BPF_JEQ_K, 1, 0, AUDIT_ARCH_X86_64));
        p.add(new Instruction(BPF_RET_K, 0, 0, RET_KILL_PROCESS));
        p.add(new Instruction(BPF_LD_W_ABS, 0, 0, DATA_NR));
        p.add(new Instruction(BPF_JGE_K, 0, 1, X32_SYSCALL_BIT));
        p.add(new Instruction(BPF_RET_K, 0, 0, RET_KILL_PROCESS));
        for (int nr : rules.killed()) {
            p.add(new Instruction(BPF_JEQ_K, 0, 1, nr));
            p.add(new Instruction(BPF_RET_K, 0, 0, RET_KILL_PROCESS));
        }
        for (Map.Entry<Integer, Integer> e : rules.errnos().entrySet()) {
            p.add(new Instruction(BPF_JEQ_K, 0, 1, e.getKey()));
            p.add(new Instruction(BPF_RET_K, 0, 0, RET_ERRNO | (e.getValue() & 0xFFFF)));
        }
        for (int nr : rules.allowed()) {
            p.add(new Instruction(BPF_JEQ_K, 0, 1, nr));
            p.add(new Instruction(BPF_RET_K, 0, 0, RET_ALLOW));
        }
        // Each block loads the argument only on its own matching path, which always returns,
        // so the accumulator still holds the number for the next block.
        for (Map.Entry<Integer, Integer> e : rules.allowedIfArg0().entrySet()) {
            p.add(new Instruction(BPF_JEQ_K, 0, 4, e.getKey()));
            p.add(new Instruction(BPF_LD_W_ABS, 0, 0, DATA_ARG0_LOW));
            p.add(new Instruction(BPF_JSET_K, 0, 1, e.getValue()));
            p.add(new Instruction(BPF_RET_K, 0, 0, RET_ALLOW));
            p.add(new Instruction(BPF_RET_K, 0, 0, denied));
        }
        p.add(new Instruction(BPF_RET_K, 0, 0, denied));
        if (p.size() > MAX_INSTRUCTIONS) {
            throw new IllegalArgumentException("filter of " + p.size() + " instructions is too long");
        }
        return p;
    }

    /** The program as the kernel reads it: 8 bytes per instruction, native (little) endian. */
    static byte[] encode(List<Instruction> program) {
        ByteBuffer b = ByteBuffer.allocate(program.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (Instruction i : program) {
            b.putShort((short) i.code()).put((byte) i.jt()).put((byte) i.jf()).putInt(i.k());
        }
        return b.array();
    }
}
