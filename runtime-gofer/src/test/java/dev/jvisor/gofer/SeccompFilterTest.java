package dev.jvisor.gofer;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The Gofer's seccomp program, run through a classic-BPF interpreter for every system call. */
class SeccompFilterTest {
    private static final List<SeccompFilter.Instruction> PROGRAM = SeccompPolicy.program();
    private static final int EPERM = SeccompFilter.RET_ERRNO | 1;

    /** Runs the program on a seccomp_data of (nr, arch, arg0). */
    private static int run(int nr, int arch, long arg0) {
        int acc = 0;
        int pc = 0;
        for (int steps = 0; steps < 10_000; steps++) {
            SeccompFilter.Instruction i = PROGRAM.get(pc);
            switch (i.code()) {
                case SeccompFilter.BPF_LD_W_ABS -> {
                    acc = switch (i.k()) {
                        case SeccompFilter.DATA_NR -> nr;
                        case SeccompFilter.DATA_ARCH -> arch;
                        case SeccompFilter.DATA_ARG0_LOW -> (int) arg0;
                        default -> throw new AssertionError("load of offset " + i.k());
                    };
                    pc++;
                }
                case SeccompFilter.BPF_JEQ_K -> pc += 1 + (acc == i.k() ? i.jt() : i.jf());
                case SeccompFilter.BPF_JGE_K ->
                        pc += 1 + (Integer.toUnsignedLong(acc) >= Integer.toUnsignedLong(i.k()) ? i.jt() : i.jf());
                case SeccompFilter.BPF_JSET_K -> pc += 1 + ((acc & i.k()) != 0 ? i.jt() : i.jf());
                case SeccompFilter.BPF_RET_K -> {
                    return i.k();
                }
                default -> throw new AssertionError("opcode " + i.code());
            }
        }
        throw new AssertionError("program does not terminate");
    }

    private static int run(int nr) {
        return run(nr, SeccompFilter.AUDIT_ARCH_X86_64, 0);
    }

    @Test
    void allowsWhatTheGoferAndTheJvmNeed() {
        for (var s : Stream.concat(SeccompPolicy.FILE_CALLS.stream(), SeccompPolicy.JVM_CALLS.stream()).toList()) {
            assertThat(run(s.number())).as(s.name()).isEqualTo(SeccompFilter.RET_ALLOW);
        }
    }

    @Test
    void killsTheDangerousCalls() {
        for (var s : SeccompPolicy.KILLED) {
            assertThat(run(s.number())).as(s.name()).isEqualTo(SeccompFilter.RET_KILL_PROCESS);
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
        assertThat(run(clone, SeccompFilter.AUDIT_ARCH_X86_64, 0x3d0f00)).isEqualTo(SeccompFilter.RET_ALLOW);
        // fork() through clone: SIGCHLD only.
        assertThat(run(clone, SeccompFilter.AUDIT_ARCH_X86_64, 17)).isEqualTo(EPERM);
        assertThat(run(SeccompPolicy.CLONE3.number())).isEqualTo(SeccompFilter.RET_ERRNO | 38);
    }

    @Test
    void otherArchitecturesAndX32AreKilled() {
        int i386 = 0x40000003;   // AUDIT_ARCH_I386
        assertThat(run(0, i386, 0)).isEqualTo(SeccompFilter.RET_KILL_PROCESS);
        assertThat(run(SeccompFilter.X32_SYSCALL_BIT)).isEqualTo(SeccompFilter.RET_KILL_PROCESS);
        assertThat(run(SeccompFilter.X32_SYSCALL_BIT | 0)).isEqualTo(SeccompFilter.RET_KILL_PROCESS);
        assertThat(run(-1)).isEqualTo(SeccompFilter.RET_KILL_PROCESS);
    }

    @Test
    void encodesEightBytesPerInstruction() {
        byte[] bytes = SeccompFilter.encode(PROGRAM);
        assertThat(bytes).hasSize(PROGRAM.size() * 8);
        // First instruction: ld [4] -> code 0x20, jt 0, jf 0, k 4.
        assertThat(bytes[0]).isEqualTo((byte) 0x20);
        assertThat(bytes[4]).isEqualTo((byte) 4);
        assertThat(PROGRAM.size()).isLessThan(SeccompFilter.MAX_INSTRUCTIONS);
    }

    @Test
    void syscallNumbersMatchTheSystemHeaders() throws IOException {
        Path header = Path.of("/usr/include/x86_64-linux-gnu/asm/unistd_64.h");
        assumeTrue(Files.exists(header), "no kernel headers to compare with");
        Map<String, Integer> known = new HashMap<>();
        Matcher m = Pattern.compile("#define __NR_(\\w+) (\\d+)").matcher(Files.readString(header));
        while (m.find()) {
            known.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        List<SeccompPolicy.Syscall> all = new ArrayList<>();
        all.addAll(SeccompPolicy.FILE_CALLS);
        all.addAll(SeccompPolicy.JVM_CALLS);
        all.addAll(SeccompPolicy.KILLED);
        all.add(SeccompPolicy.CLONE);
        all.add(SeccompPolicy.CLONE3);
        int checked = 0;
        for (var s : all) {
            if (known.containsKey(s.name())) {   // older headers lack the newest calls
                assertThat(s.number()).as(s.name()).isEqualTo(known.get(s.name()));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(all.size() - 5);
        assertThat(known.get("openat2")).isEqualTo(Native.SYS_OPENAT2);
        assertThat(known.get("renameat2")).isEqualTo(Native.SYS_RENAMEAT2);
        assertThat(known.get("newfstatat")).isEqualTo(Native.SYS_NEWFSTATAT);
    }
}
