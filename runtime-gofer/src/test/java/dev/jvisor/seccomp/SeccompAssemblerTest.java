package dev.jvisor.seccomp;

import static dev.jvisor.abi.Seccomp.AUDIT_ARCH_I386;
import static dev.jvisor.abi.Seccomp.BPF_MAXINSNS;
import static dev.jvisor.abi.Seccomp.BPF_RET_K;
import static dev.jvisor.abi.Seccomp.RET_ERRNO;
import static dev.jvisor.abi.Seccomp.X32_SYSCALL_BIT;
import static dev.jvisor.seccomp.SeccompRules.ALLOW;
import static dev.jvisor.seccomp.SeccompRules.KILL;
import static dev.jvisor.seccomp.SeccompRules.fail;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The assembler both filters share: its prologue, each kind of rule, and the input it refuses. */
class SeccompAssemblerTest {
    private static final int EPERM = 1, ENOSYS = 38;

    private static SeccompRules rules(SortedSet<Integer> killed, SortedMap<Integer, Integer> failing,
                                      SortedSet<Integer> allowed, SortedMap<Integer, SeccompRules.Arg0Test> byArg0,
                                      int otherwise) {
        return new SeccompRules(killed, failing, allowed, byArg0, otherwise);
    }

    private static SeccompRules otherwise(int action) {
        return rules(new TreeSet<>(), new TreeMap<>(), new TreeSet<>(), new TreeMap<>(), action);
    }

    private static SeccompInterpreter filter(SeccompRules rules) {
        return new SeccompInterpreter(SeccompAssembler.assemble(rules));
    }

    @Test
    void anotherArchitectureOrX32IsKilledEvenWhenEverythingElseRuns() {
        SeccompInterpreter allowAll = filter(otherwise(ALLOW));
        assertThat(allowAll.run(0)).isEqualTo(ALLOW);
        assertThat(allowAll.run(0, AUDIT_ARCH_I386, 0)).isEqualTo(KILL);
        assertThat(allowAll.run(0, 0, 0)).isEqualTo(KILL);
        assertThat(allowAll.run(X32_SYSCALL_BIT)).isEqualTo(KILL);
        assertThat(allowAll.run(X32_SYSCALL_BIT | 59)).isEqualTo(KILL);
        assertThat(allowAll.run(-1)).isEqualTo(KILL);
    }

    @Test
    void eachKindOfRuleReturnsItsAction() {
        var byArg0 = new TreeMap<Integer, SeccompRules.Arg0Test>(Map.of(
                56, new SeccompRules.Arg0Test(0x10000, ALLOW, fail(EPERM)),
                272, new SeccompRules.Arg0Test(0x20000, fail(EPERM), ALLOW)));
        SeccompInterpreter f = filter(rules(new TreeSet<>(List.of(101)), new TreeMap<>(Map.of(435, ENOSYS)),
                new TreeSet<>(List.of(0, 1)), byArg0, fail(EPERM)));
        assertThat(f.run(101)).isEqualTo(KILL);
        assertThat(f.run(435)).isEqualTo(RET_ERRNO | ENOSYS);
        assertThat(f.run(0)).isEqualTo(ALLOW);
        assertThat(f.run(1)).isEqualTo(ALLOW);
        assertThat(f.run(56, 0x10000 | 0x100)).isEqualTo(ALLOW);
        assertThat(f.run(56, 17)).isEqualTo(RET_ERRNO | EPERM);
        // The second argument block is reached after the first one's compare failed: the
        // accumulator must still hold the call number there.
        assertThat(f.run(272, 0x20000)).isEqualTo(RET_ERRNO | EPERM);
        assertThat(f.run(272, 0)).isEqualTo(ALLOW);
        assertThat(f.run(2)).isEqualTo(RET_ERRNO | EPERM);
    }

    @Test
    void onlyTheLowHalfOfTheFirstArgumentIsRead() {
        SeccompInterpreter f = filter(rules(new TreeSet<>(), new TreeMap<>(), new TreeSet<>(),
                new TreeMap<>(Map.of(56, new SeccompRules.Arg0Test(0x10000, fail(EPERM), ALLOW))), ALLOW));
        assertThat(f.run(56, 0x10000L << 32)).isEqualTo(ALLOW);
        assertThat(f.run(56, (0x10000L << 32) | 0x10000)).isEqualTo(RET_ERRNO | EPERM);
    }

    /** Random rule sets agree, call by call, with what the rules say. */
    @Test
    void programsAgreeWithTheirRules() {
        Random random = new Random(20261129);
        int[] actions = {KILL, ALLOW, fail(EPERM), fail(ENOSYS)};
        for (int round = 0; round < 50; round++) {
            var numbers = IntStream.range(0, 480).boxed().collect(Collectors.toList());
            Collections.shuffle(numbers, random);
            var killed = new TreeSet<>(numbers.subList(0, random.nextInt(40)));
            var failing = new TreeMap<Integer, Integer>();
            numbers.subList(40, 40 + random.nextInt(40)).forEach(nr -> failing.put(nr, 1 + random.nextInt(133)));
            var allowed = new TreeSet<>(numbers.subList(80, 80 + random.nextInt(80)));
            var byArg0 = new TreeMap<Integer, SeccompRules.Arg0Test>();
            numbers.subList(160, 160 + random.nextInt(5)).forEach(nr -> byArg0.put(nr, new SeccompRules.Arg0Test(
                    1L << random.nextInt(32), actions[random.nextInt(4)], actions[random.nextInt(4)])));
            int otherwise = actions[random.nextInt(4)];
            SeccompInterpreter f = filter(rules(killed, failing, allowed, byArg0, otherwise));
            for (int nr = 0; nr < 500; nr++) {
                long arg0 = random.nextLong();
                int expected;
                if (killed.contains(nr)) expected = KILL;
                else if (failing.containsKey(nr)) expected = RET_ERRNO | failing.get(nr);
                else if (allowed.contains(nr)) expected = ALLOW;
                else if (byArg0.containsKey(nr)) {
                    var test = byArg0.get(nr);
                    expected = (arg0 & test.mask()) != 0 ? test.ifAnySet() : test.ifNoneSet();
                } else expected = otherwise;
                assertThat(f.run(nr, arg0)).as("round %d nr %d", round, nr).isEqualTo(expected);
            }
        }
    }

    @Test
    void aCallWithTwoRulesIsAProgrammingError() {
        assertThatThrownBy(() -> rules(new TreeSet<>(List.of(165)), new TreeMap<>(Map.of(165, 1)),
                new TreeSet<>(), new TreeMap<>(), ALLOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("two rules");
        assertThatThrownBy(() -> rules(new TreeSet<>(), new TreeMap<>(), new TreeSet<>(List.of(56)),
                new TreeMap<>(Map.of(56, new SeccompRules.Arg0Test(1, ALLOW, KILL))), ALLOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("two rules");
    }

    @Test
    void refusesWhatNoFilterCouldMean() {
        var none = new TreeSet<Integer>();
        // Numbers the prologue already kills: a rule for them would never be reached.
        assertThatThrownBy(() -> rules(new TreeSet<>(List.of(-1)), new TreeMap<>(), none, new TreeMap<>(), ALLOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an x86-64 call number");
        assertThatThrownBy(() -> rules(none, new TreeMap<>(), new TreeSet<>(List.of(X32_SYSCALL_BIT)), new TreeMap<>(), ALLOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an x86-64 call number");
        // Errnos a system call cannot return, and results that are no action.
        assertThatThrownBy(() -> fail(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> fail(4096)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> rules(none, new TreeMap<>(Map.of(2, 70000)), none, new TreeMap<>(), ALLOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("errno 70000");
        assertThatThrownBy(() -> otherwise(RET_ERRNO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> otherwise(0x7ff00000 /* SECCOMP_RET_LOG */)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not kill, allow or an errno");
        // Argument masks the filter cannot read.
        assertThatThrownBy(() -> new SeccompRules.Arg0Test(1L << 32, ALLOW, KILL)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("within 32 bits");
        assertThatThrownBy(() -> new SeccompRules.Arg0Test(0, ALLOW, KILL)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theRulesDoNotChangeWithTheCollectionsTheyWereMadeFrom() {
        var killed = new TreeSet<>(List.of(101));
        SeccompRules rules = rules(killed, new TreeMap<>(), new TreeSet<>(), new TreeMap<>(), ALLOW);
        killed.add(59);
        assertThat(filter(rules).run(59)).isEqualTo(ALLOW);
        assertThatThrownBy(() -> rules.killed().add(59)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aProgramLongerThanTheKernelTakesIsRefused() {
        // 6 prologue + 2 per call + 1 default: 2044 calls make 4095 instructions, 2045 make 4097.
        var fits = new TreeSet<>(IntStream.range(0, 2044).boxed().toList());
        assertThat(SeccompAssembler.assemble(rules(fits, new TreeMap<>(), new TreeSet<>(), new TreeMap<>(), ALLOW)))
                .hasSizeLessThanOrEqualTo(BPF_MAXINSNS);
        var tooMany = new TreeSet<>(IntStream.range(0, 2045).boxed().toList());
        assertThatThrownBy(() -> SeccompAssembler.assemble(rules(tooMany, new TreeMap<>(), new TreeSet<>(), new TreeMap<>(), ALLOW)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too long");
    }

    @Test
    void encodesEachInstructionAsEightLittleEndianBytes() {
        var program = SeccompAssembler.assemble(otherwise(fail(ENOSYS)));
        byte[] code = SeccompAssembler.encode(program);
        assertThat(code).hasSize(program.size() * 8);
        // The first instruction: ld [4] (seccomp_data.arch).
        assertThat(code).startsWith(0x20, 0, 0, 0, 4, 0, 0, 0);
        // The second: jeq AUDIT_ARCH_X86_64, jt 1, jf 0.
        assertThat(Arrays.copyOfRange(code, 8, 16)).containsExactly(0x15, 0, 1, 0, 0x3e, 0, 0, 0xc0);
        // The last: ret SECCOMP_RET_ERRNO | ENOSYS.
        assertThat(Arrays.copyOfRange(code, code.length - 8, code.length))
                .containsExactly(BPF_RET_K, 0, 0, 0, ENOSYS, 0, 5, 0);
    }
}
