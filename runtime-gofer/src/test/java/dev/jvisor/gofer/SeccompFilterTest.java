package dev.jvisor.gofer;

import dev.jvisor.abi.Seccomp;
import dev.jvisor.seccomp.SeccompAssembler;
import dev.jvisor.seccomp.SeccompInterpreter;
import dev.jvisor.seccomp.SyscallHeaders;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The Gofer's seccomp program, run through a classic-BPF interpreter for every system call. */
class SeccompFilterTest {
    private static final List<SeccompAssembler.Instruction> PROGRAM = SeccompPolicy.program();
    private static final SeccompInterpreter FILTER = new SeccompInterpreter(PROGRAM);
    private static final int EPERM = Seccomp.RET_ERRNO | 1;

    private static int run(int nr) {
        return FILTER.run(nr);
    }

    @Test
    void allowsWhatTheGoferAndTheJvmNeed() {
        for (var s : Stream.concat(SeccompPolicy.FILE_CALLS.stream(), SeccompPolicy.JVM_CALLS.stream()).toList()) {
            assertThat(run(s.number())).as(s.name()).isEqualTo(Seccomp.RET_ALLOW);
        }
    }

    @Test
    void killsTheDangerousCalls() {
        for (var s : SeccompPolicy.KILLED) {
            assertThat(run(s.number())).as(s.name()).isEqualTo(Seccomp.RET_KILL_PROCESS);
        }
    }

    @Test
    void deniesEverythingElseWithEperm() {
        // socket, connect, kill, setuid, chmod by path, open by path
        for (int nr : new int[] {41, 42, 62, 105, 90, 2, 4, 87, 500, 1000}) {
            assertThat(run(nr)).as("nr %d", nr).isEqualTo(EPERM);
        }
    }

    @Test
    void cloneMakesThreadsButNotProcesses() {
        int clone = SeccompPolicy.CLONE.number();
        // glibc's pthread_create flags: CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|...
        assertThat(FILTER.run(clone, 0x3d0f00)).isEqualTo(Seccomp.RET_ALLOW);
        // fork() through clone: SIGCHLD only.
        assertThat(FILTER.run(clone, 17)).isEqualTo(EPERM);
        assertThat(run(SeccompPolicy.CLONE3.number())).isEqualTo(Seccomp.RET_ERRNO | 38);
    }

    @Test
    void otherArchitecturesAndX32AreKilled() {
        assertThat(FILTER.run(0, Seccomp.AUDIT_ARCH_I386, 0)).isEqualTo(Seccomp.RET_KILL_PROCESS);
        assertThat(run(Seccomp.X32_SYSCALL_BIT)).isEqualTo(Seccomp.RET_KILL_PROCESS);
        assertThat(run(Seccomp.X32_SYSCALL_BIT | 0)).isEqualTo(Seccomp.RET_KILL_PROCESS);
        assertThat(run(-1)).isEqualTo(Seccomp.RET_KILL_PROCESS);
    }

    @Test
    void encodesEightBytesPerInstruction() {
        byte[] bytes = SeccompFilter.encode(PROGRAM);
        assertThat(bytes).hasSize(PROGRAM.size() * 8);
        // First instruction: ld [4] -> code 0x20, jt 0, jf 0, k 4.
        assertThat(bytes[0]).isEqualTo((byte) 0x20);
        assertThat(bytes[4]).isEqualTo((byte) 4);
        assertThat(PROGRAM.size()).isLessThan(Seccomp.BPF_MAXINSNS);
    }

    @Test
    void syscallNumbersMatchTheSystemHeaders() {
        List<SeccompPolicy.Syscall> all = new ArrayList<>();
        all.addAll(SeccompPolicy.FILE_CALLS);
        all.addAll(SeccompPolicy.JVM_CALLS);
        all.addAll(SeccompPolicy.KILLED);
        all.add(SeccompPolicy.CLONE);
        all.add(SeccompPolicy.CLONE3);
        SyscallHeaders.assertAgree(all.stream().collect(Collectors.toMap(SeccompPolicy.Syscall::name, SeccompPolicy.Syscall::number)));
        Map<String, Integer> known = SyscallHeaders.numbers();
        assertThat(known.get("openat2")).isEqualTo(Native.SYS_OPENAT2);
        assertThat(known.get("renameat2")).isEqualTo(Native.SYS_RENAMEAT2);
        assertThat(known.get("newfstatat")).isEqualTo(Native.SYS_NEWFSTATAT);
    }
}
