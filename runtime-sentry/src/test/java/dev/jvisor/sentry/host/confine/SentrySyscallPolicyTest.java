package dev.jvisor.sentry.host.confine;

import static dev.jvisor.abi.Seccomp.AUDIT_ARCH_I386;
import static dev.jvisor.abi.Seccomp.RET_ALLOW;
import static dev.jvisor.abi.Seccomp.RET_ERRNO;
import static dev.jvisor.abi.Seccomp.RET_KILL_PROCESS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.abi.Seccomp;
import dev.jvisor.abi.linux.Sysno;
import dev.jvisor.seccomp.SeccompAssembler;
import dev.jvisor.seccomp.SeccompInterpreter;
import dev.jvisor.seccomp.SyscallHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The Sentry's seccomp program, run through a classic-BPF interpreter for the calls that matter. */
class SentrySyscallPolicyTest {
    private static final List<SeccompAssembler.Instruction> PROGRAM = SentrySyscallPolicy.program();
    private static final SeccompInterpreter FILTER = new SeccompInterpreter(PROGRAM);
    private static final int EPERM = RET_ERRNO | 1;
    private static final int ENOSYS = RET_ERRNO | 38;
    private static final long SIGCHLD = 17, CLONE_VM = 0x100, CLONE_VFORK = 0x4000, CLONE_THREAD = 0x10000;

    private static int run(int nr, long arg0) {
        return FILTER.run(nr, arg0);
    }

    private static int run(int nr) {
        return FILTER.run(nr);
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
        assertThat(FILTER.run(Sysno.READ, AUDIT_ARCH_I386, 0)).isEqualTo(RET_KILL_PROCESS);
        assertThat(run(Sysno.READ | Seccomp.X32_SYSCALL_BIT)).isEqualTo(RET_KILL_PROCESS);
    }

    @Test
    void encodesEightLittleEndianBytesPerInstruction() {
        byte[] code = SeccompAssembler.encode(PROGRAM);
        assertThat(code).hasSize(PROGRAM.size() * 8);
        // The last instruction: BPF_RET|BPF_K, SECCOMP_RET_ALLOW.
        int last = code.length - 8;
        assertThat(code[last]).isEqualTo((byte) Seccomp.BPF_RET_K);
        assertThat(code[last + 7]).isEqualTo((byte) 0x7f);
        assertThat(code[last + 6]).isEqualTo((byte) 0xff);
        assertThat(PROGRAM.size()).isLessThan(Seccomp.BPF_MAXINSNS);
    }

    @Test
    void syscallNumbersMatchTheSystemHeaders() {
        List<SentrySyscallPolicy.Syscall> all = new ArrayList<>(SentrySyscallPolicy.KILLED);
        all.addAll(SentrySyscallPolicy.REFUSED);
        all.add(SentrySyscallPolicy.CLONE);
        all.add(SentrySyscallPolicy.CLONE3);
        SyscallHeaders.assertAgree(all.stream().collect(
                Collectors.toMap(SentrySyscallPolicy.Syscall::name, SentrySyscallPolicy.Syscall::number)));
    }
}
