package dev.jvisor.sentry.host.confine;

import static dev.jvisor.abi.linux.Seccomp.AUDIT_ARCH_X86_64;
import static dev.jvisor.abi.linux.Seccomp.RET_ALLOW;
import static dev.jvisor.abi.linux.Seccomp.RET_ERRNO;
import static dev.jvisor.abi.linux.Seccomp.RET_KILL_PROCESS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jvisor.abi.linux.Seccomp;
import dev.jvisor.abi.linux.Sysno;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Sentry's seccomp program, run through a classic-BPF interpreter for the calls that matter. */
class SentrySyscallPolicyTest {
    private static final List<SeccompProgram.Instruction> PROGRAM = SentrySyscallPolicy.program();
    private static final int EPERM = RET_ERRNO | 1;
    private static final int ENOSYS = RET_ERRNO | 38;
    private static final long SIGCHLD = 17, CLONE_VM = 0x100, CLONE_VFORK = 0x4000, CLONE_THREAD = 0x10000;

    /** Runs the program on a seccomp_data of (nr, arch, args[0]). */
    static int run(List<SeccompProgram.Instruction> program, int nr, int arch, long arg0) {
        int acc = 0;
        int pc = 0;
        for (int steps = 0; steps < 10_000; steps++) {
            SeccompProgram.Instruction i = program.get(pc);
            switch (i.code()) {
                case Seccomp.BPF_LD_W_ABS -> {
                    acc = switch (i.k()) {
                        case Seccomp.DATA_NR -> nr;
                        case Seccomp.DATA_ARCH -> arch;
                        case Seccomp.DATA_ARGS -> (int) arg0;
                        default -> throw new AssertionError("load of offset " + i.k());
                    };
                    pc++;
                }
                case Seccomp.BPF_JEQ_K -> pc += 1 + (acc == i.k() ? i.jt() : i.jf());
                case Seccomp.BPF_JGE_K -> pc += 1 + (Integer.toUnsignedLong(acc) >= Integer.toUnsignedLong(i.k()) ? i.jt() : i.jf());
                case Seccomp.BPF_JSET_K -> pc += 1 + ((acc & i.k()) != 0 ? i.jt() : i.jf());
                case Seccomp.BPF_RET_K -> {
                    return i.k();
                }
                default -> throw new AssertionError("opcode " + i.code());
            }
        }
        throw new AssertionError("program does not terminate");
    }

    private static int run(int nr, long arg0) {
        return run(PROGRAM, nr, AUDIT_ARCH_X86_64, arg0);
    }

    private static int run(int nr) {
        return run(nr, 0);
    }

    @Test
    void leavesWhatTheJvmStubsAndGofersNeedAlone() {
        // The JVM, posix_spawn of stubs and Gofers, ptrace and /proc/PID/mem, the Gofer's own
        // confinement (chroot, prctl, capset from setpriv), sockets for the control channel.
        for (int nr : new int[] {Sysno.READ, Sysno.WRITE, Sysno.MMAP, Sysno.MPROTECT, Sysno.FUTEX, Sysno.EXECVE,
                Sysno.PTRACE, Sysno.WAIT4, Sysno.KILL, Sysno.CHROOT, Sysno.PRCTL, Sysno.CAPSET, Sysno.SOCKET,
                Sysno.SECCOMP, Sysno.PROCESS_VM_READV, Sysno.MEMFD_CREATE, Sysno.VFORK}) {
            assertThat(run(nr)).as(Sysno.name(nr)).isEqualTo(RET_ALLOW);
        }
    }

    @Test
    void refusesTheMountTableNamespacesAndKernelInterfaces() {
        for (var s : SentrySyscallPolicy.REFUSED) assertThat(run(s.number())).as(s.name()).isEqualTo(EPERM);
        assertThat(run(Sysno.MOUNT)).isEqualTo(EPERM);
        assertThat(run(Sysno.UNSHARE)).isEqualTo(EPERM);
        assertThat(run(Sysno.SETNS)).isEqualTo(EPERM);
        assertThat(run(Sysno.BPF)).isEqualTo(EPERM);
    }

    @Test
    void killsOnCallsOnlyAnAttackerMakes() {
        for (var s : SentrySyscallPolicy.KILLED) assertThat(run(s.number())).as(s.name()).isEqualTo(RET_KILL_PROCESS);
        assertThat(run(Sysno.KEXEC_LOAD)).isEqualTo(RET_KILL_PROCESS);
        assertThat(run(Sysno.OPEN_BY_HANDLE_AT)).isEqualTo(RET_KILL_PROCESS);
    }

    @Test
    void cloneMakesThreadsAndProcessesButNoNamespaces() {
        assertThat(run(Sysno.CLONE, CLONE_VM | CLONE_VFORK | SIGCHLD)).isEqualTo(RET_ALLOW);
        assertThat(run(Sysno.CLONE, CLONE_THREAD | CLONE_VM)).isEqualTo(RET_ALLOW);
        assertThat(run(Sysno.CLONE, SIGCHLD)).isEqualTo(RET_ALLOW);
        for (long ns : new long[] {0x20000, 0x2000000, 0x4000000, 0x8000000, 0x10000000, 0x20000000, 0x40000000}) {
            assertThat(run(Sysno.CLONE, ns | SIGCHLD)).as("clone flag 0x%x", ns).isEqualTo(EPERM);
        }
        // Its flags are out of the filter's reach: glibc falls back to clone on ENOSYS.
        assertThat(run(Sysno.CLONE3)).isEqualTo(ENOSYS);
    }

    @Test
    void otherArchitecturesAndX32AreKilled() {
        assertThat(run(PROGRAM, Sysno.READ, 0x40000003 /* AUDIT_ARCH_I386 */, 0)).isEqualTo(RET_KILL_PROCESS);
        assertThat(run(PROGRAM, Sysno.READ | Seccomp.X32_SYSCALL_BIT, AUDIT_ARCH_X86_64, 0)).isEqualTo(RET_KILL_PROCESS);
    }

    @Test
    void aCallWithTwoRulesIsAProgrammingError() {
        var twice = new SeccompProgram.Rules(new TreeSet<>(List.of(Sysno.MOUNT)), new TreeMap<>(Map.of(Sysno.MOUNT, 1)),
                new TreeMap<>(), 1);
        assertThatThrownBy(() -> SeccompProgram.assemble(twice)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("two rules");
    }

    @Test
    void encodesEightLittleEndianBytesPerInstruction() {
        byte[] code = SeccompProgram.encode(PROGRAM);
        assertThat(code).hasSize(PROGRAM.size() * 8);
        // The last instruction: BPF_RET|BPF_K, SECCOMP_RET_ALLOW.
        int last = code.length - 8;
        assertThat(code[last]).isEqualTo((byte) Seccomp.BPF_RET_K);
        assertThat(code[last + 7]).isEqualTo((byte) 0x7f);
        assertThat(code[last + 6]).isEqualTo((byte) 0xff);
        assertThat(PROGRAM.size()).isLessThan(Seccomp.BPF_MAXINSNS);
    }

    @Test
    void syscallNumbersMatchTheSystemHeaders() throws IOException {
        Path header = Path.of("/usr/include/x86_64-linux-gnu/asm/unistd_64.h");
        assumeTrue(Files.exists(header), "no kernel headers to compare with");
        Map<String, Integer> known = new HashMap<>();
        Matcher m = Pattern.compile("#define __NR_(\\w+) (\\d+)").matcher(Files.readString(header));
        while (m.find()) known.put(m.group(1), Integer.parseInt(m.group(2)));
        List<SentrySyscallPolicy.Syscall> all = new ArrayList<>(SentrySyscallPolicy.KILLED);
        all.addAll(SentrySyscallPolicy.REFUSED);
        all.add(SentrySyscallPolicy.CLONE);
        all.add(SentrySyscallPolicy.CLONE3);
        int checked = 0;
        for (var s : all) {
            if (known.containsKey(s.name())) {   // older headers lack the newest calls
                assertThat(s.number()).as(s.name()).isEqualTo(known.get(s.name()));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(all.size() - 5);
    }
}
