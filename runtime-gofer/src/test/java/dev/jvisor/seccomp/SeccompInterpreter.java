package dev.jvisor.seccomp;

import static dev.jvisor.abi.Seccomp.AUDIT_ARCH_X86_64;
import static dev.jvisor.abi.Seccomp.BPF_JEQ_K;
import static dev.jvisor.abi.Seccomp.BPF_JGE_K;
import static dev.jvisor.abi.Seccomp.BPF_JSET_K;
import static dev.jvisor.abi.Seccomp.BPF_LD_W_ABS;
import static dev.jvisor.abi.Seccomp.BPF_RET_K;
import static dev.jvisor.abi.Seccomp.DATA_ARCH;
import static dev.jvisor.abi.Seccomp.DATA_ARGS;
import static dev.jvisor.abi.Seccomp.DATA_INSTRUCTION_POINTER;
import static dev.jvisor.abi.Seccomp.DATA_NR;
import static dev.jvisor.abi.Seccomp.DATA_SIZE;

import java.util.List;

/**
 * Runs a seccomp program the way the kernel's classic-BPF interpreter does, on one
 * {@code struct seccomp_data}, for tests of both modules' filters (runtime-sentry reads it from
 * this module's test jar). It knows the instructions {@link SeccompAssembler} emits and fails
 * the test on any other, on a load outside seccomp_data, on a jump out of the program and on a
 * program that runs off its end: the kernel's checker would refuse each of those.
 */
public final class SeccompInterpreter {
    private final List<SeccompAssembler.Instruction> program;

    public SeccompInterpreter(List<SeccompAssembler.Instruction> program) {
        this.program = List.copyOf(program);
    }

    /** The SECCOMP_RET_* value for call {@code nr} from x86-64 with no arguments. */
    public int run(int nr) {
        return run(nr, AUDIT_ARCH_X86_64, 0);
    }

    /** The SECCOMP_RET_* value for call {@code nr} from x86-64 with first argument {@code arg0}. */
    public int run(int nr, long arg0) {
        return run(nr, AUDIT_ARCH_X86_64, arg0);
    }

    /** The SECCOMP_RET_* value for a seccomp_data of (nr, arch, args[0]); the other fields are 0. */
    public int run(int nr, int arch, long arg0) {
        int acc = 0;
        int pc = 0;
        // Classic BPF jumps only forward, so every run ends within the program's length.
        while (true) {
            if (pc >= program.size()) throw new AssertionError("program runs off its end at " + pc);
            SeccompAssembler.Instruction i = program.get(pc);
            switch (i.code()) {
                case BPF_LD_W_ABS -> {
                    acc = load(i.k(), nr, arch, arg0);
                    pc++;
                }
                case BPF_JEQ_K -> pc += 1 + (acc == i.k() ? i.jt() : i.jf());
                case BPF_JGE_K -> pc += 1 + (Integer.compareUnsigned(acc, i.k()) >= 0 ? i.jt() : i.jf());
                case BPF_JSET_K -> pc += 1 + ((acc & i.k()) != 0 ? i.jt() : i.jf());
                case BPF_RET_K -> {
                    return i.k();
                }
                default -> throw new AssertionError("opcode 0x" + Integer.toHexString(i.code()) + " at " + pc);
            }
        }
    }

    /** A 32-bit word of seccomp_data; x86-64 is little-endian, so a 64-bit field's low half comes first. */
    private static int load(int offset, int nr, int arch, long arg0) {
        if (offset < 0 || offset + 4 > DATA_SIZE || offset % 4 != 0) {
            throw new AssertionError("load of offset " + offset + " outside seccomp_data");
        }
        if (offset == DATA_NR) return nr;
        if (offset == DATA_ARCH) return arch;
        if (offset == DATA_INSTRUCTION_POINTER || offset == DATA_INSTRUCTION_POINTER + 4) return 0;
        if (offset == DATA_ARGS) return (int) arg0;
        if (offset == DATA_ARGS + 4) return (int) (arg0 >>> 32);
        return 0;   // args[1..5]
    }
}
