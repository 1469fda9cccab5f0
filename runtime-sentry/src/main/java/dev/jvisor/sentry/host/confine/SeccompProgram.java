package dev.jvisor.sentry.host.confine;

import static dev.jvisor.abi.linux.Seccomp.AUDIT_ARCH_X86_64;
import static dev.jvisor.abi.linux.Seccomp.BPF_JEQ_K;
import static dev.jvisor.abi.linux.Seccomp.BPF_JGE_K;
import static dev.jvisor.abi.linux.Seccomp.BPF_JSET_K;
import static dev.jvisor.abi.linux.Seccomp.BPF_LD_W_ABS;
import static dev.jvisor.abi.linux.Seccomp.BPF_MAXINSNS;
import static dev.jvisor.abi.linux.Seccomp.BPF_RET_K;
import static dev.jvisor.abi.linux.Seccomp.DATA_ARCH;
import static dev.jvisor.abi.linux.Seccomp.DATA_ARGS;
import static dev.jvisor.abi.linux.Seccomp.DATA_NR;
import static dev.jvisor.abi.linux.Seccomp.RET_ALLOW;
import static dev.jvisor.abi.linux.Seccomp.RET_ERRNO;
import static dev.jvisor.abi.linux.Seccomp.RET_KILL_PROCESS;
import static dev.jvisor.abi.linux.Seccomp.X32_SYSCALL_BIT;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * Assembles a deny-list seccomp BPF program: anything that is not an x86-64 system call (another
 * architecture, the x32 ABI) kills the process, the listed calls kill it or fail with an errno,
 * some calls fail when their first argument has any of the given bits, and everything else runs.
 * Every test is a compare followed by its return, so no jump needs more than one instruction.
 */
final class SeccompProgram {
    /** One {@code struct sock_filter}: code[2] jt[1] jf[1] k[4]. */
    record Instruction(int code, int jt, int jf, int k) {}

    /**
     * @param killed      calls that kill the whole process
     * @param errnos      calls that fail with the given errno
     * @param arg0Denials calls that fail when args[0] has any bit of the mask
     * @param arg0Errno   the errno those fail with
     */
    record Rules(SortedSet<Integer> killed, SortedMap<Integer, Integer> errnos,
                 SortedMap<Integer, Long> arg0Denials, int arg0Errno) {}

    private SeccompProgram() {}

    static List<Instruction> assemble(Rules rules) {
        Set<Integer> seen = new HashSet<>();
        for (var numbers : List.of(rules.killed(), rules.errnos().keySet(), rules.arg0Denials().keySet())) {
            for (int nr : numbers) {
                if (!seen.add(nr)) throw new IllegalArgumentException("system call " + nr + " has two rules");
            }
        }
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
        // Each block loads the argument only on its own matching path, and that path always
        // returns, so the accumulator still holds the call number for the next block. Only the
        // low 32 bits are read: every mask here lies in them (clone's namespace flags).
        for (Map.Entry<Integer, Long> e : rules.arg0Denials().entrySet()) {
            if ((e.getValue() >>> 32) != 0) throw new IllegalArgumentException("mask beyond 32 bits for call " + e.getKey());
            p.add(new Instruction(BPF_JEQ_K, 0, 4, e.getKey()));
            p.add(new Instruction(BPF_LD_W_ABS, 0, 0, DATA_ARGS));
            p.add(new Instruction(BPF_JSET_K, 0, 1, e.getValue().intValue()));
            p.add(new Instruction(BPF_RET_K, 0, 0, RET_ERRNO | (rules.arg0Errno() & 0xFFFF)));
            p.add(new Instruction(BPF_RET_K, 0, 0, RET_ALLOW));
        }
        p.add(new Instruction(BPF_RET_K, 0, 0, RET_ALLOW));
        if (p.size() > BPF_MAXINSNS) throw new IllegalArgumentException("filter of " + p.size() + " instructions is too long");
        return p;
    }

    /** The program as the kernel reads it: 8 bytes per instruction, little-endian. */
    static byte[] encode(List<Instruction> program) {
        ByteBuffer b = ByteBuffer.allocate(program.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (Instruction i : program) b.putShort((short) i.code()).put((byte) i.jt()).put((byte) i.jf()).putInt(i.k());
        return b.array();
    }
}
