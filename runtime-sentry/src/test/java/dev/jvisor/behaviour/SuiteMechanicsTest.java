package dev.jvisor.behaviour;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** The suite's own machinery: mode selection, the known-failures list, judging, the build cache. */
class SuiteMechanicsTest {

    @Test
    void modesParseCaseInsensitivelyWithoutDuplicates() {
        assertThat(Mode.parse("native, JVISOR,native")).containsExactly(Mode.NATIVE, Mode.JVISOR);
        assertThat(Mode.parse(Mode.DEFAULT)).containsExactly(Mode.NATIVE, Mode.JVISOR);
    }

    @Test
    void unknownOrEmptyModeSelectionIsAnError() {
        assertThatThrownBy(() -> Mode.parse("native,qemu"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("qemu");
        assertThatThrownBy(() -> Mode.parse(" , ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void knownFailuresListParsesReasonsAndComments() {
        KnownFailures list = KnownFailures.parse(List.of(
                "# comment", "", "jvisor c/signals  sigaltstack is not implemented yet"));
        assertThat(list.reason(Mode.JVISOR, "c/signals")).contains("sigaltstack is not implemented yet");
        assertThat(list.reason(Mode.NATIVE, "c/signals")).isEmpty();
        assertThat(list.reason(Mode.JVISOR, "c/pipes")).isEmpty();
    }

    @Test
    void malformedKnownFailureLinesAreRejectedWithTheirLineNumber() {
        assertThatThrownBy(() -> KnownFailures.parse(List.of("jvisor c/signals")))
                .isInstanceOf(BehaviourSetupException.class).hasMessageContaining("line 1");
        assertThatThrownBy(() -> KnownFailures.parse(List.of("#", "kvm c/signals reason")))
                .isInstanceOf(BehaviourSetupException.class).hasMessageContaining("line 2").hasMessageContaining("kvm");
        assertThatThrownBy(() -> KnownFailures.parse(List.of("jvisor signals reason")))
                .isInstanceOf(BehaviourSetupException.class).hasMessageContaining("KIND/NAME");
        assertThatThrownBy(() -> KnownFailures.parse(List.of("jvisor c/a one", "jvisor c/a two")))
                .isInstanceOf(BehaviourSetupException.class).hasMessageContaining("twice");
    }

    @Test
    void theCheckedInKnownFailuresListIsWellFormed() {
        KnownFailures.load();
    }

    @Test
    void knownFailureThatFailsIsSkippedWithItsReason() {
        CaseCheck check = new CaseCheck(KnownFailures.parse(List.of("jvisor c/x futex is missing")));
        assertThatThrownBy(() -> check.judge(Mode.JVISOR, "c/x", () -> assertThat(1).isEqualTo(2)))
                .isInstanceOf(TestAbortedException.class).hasMessageContaining("futex is missing");
    }

    @Test
    void knownFailureThatPassesFailsSoTheListStaysHonest() {
        CaseCheck check = new CaseCheck(KnownFailures.parse(List.of("jvisor c/x futex is missing")));
        assertThatThrownBy(() -> check.judge(Mode.JVISOR, "c/x", () -> { }))
                .isInstanceOf(AssertionFailedError.class).hasMessageContaining("remove it from the list");
    }

    @Test
    void intermittentKnownFailureMayPassOrFail() throws Throwable {
        CaseCheck check = new CaseCheck(KnownFailures.parse(List.of("jvisor c/x intermittent: a wakeup race")));
        check.judge(Mode.JVISOR, "c/x", () -> { });
        assertThatThrownBy(() -> check.judge(Mode.JVISOR, "c/x", () -> assertThat(1).isEqualTo(2)))
                .isInstanceOf(TestAbortedException.class).hasMessageContaining("a wakeup race");
    }

    @Test
    void unlistedFailureFailsAndListedModeDoesNotLeakToOtherModes() {
        CaseCheck check = new CaseCheck(KnownFailures.parse(List.of("jvisor c/x futex is missing")));
        assertThatThrownBy(() -> check.judge(Mode.NATIVE, "c/x", () -> assertThat(1).isEqualTo(2)))
                .isInstanceOf(AssertionError.class).isNotInstanceOf(TestAbortedException.class);
    }

    @Test
    void differencesNameTheFirstDifferingLineAndTheStatus() {
        Expectation expected = new Expectation("a\nb\n", "", 0);
        Outcome actual = new Outcome("a\nc\n", "", 139);
        assertThat(CaseCheck.differences(expected, actual)).containsExactly(
                "stdout differs at line 2: expected 'b', got 'c'", "exit status 139 instead of 0");
    }

    @Test
    void expectationsFillRootfsVariables() {
        Expectation e = Expectation.load("sh/find-rootfs", Map.of("rootfs.entries", "7", "rootfs.bin-files", "2"));
        assertThat(e.stdout()).startsWith("7\n2\n");
        assertThatThrownBy(() -> Expectation.load("sh/no-such-case", Map.of()))
                .isInstanceOf(BehaviourSetupException.class).hasMessageContaining("no expectation");
    }

    @Test
    void compiledProgramsAreCachedBySourceDigest() throws IOException {
        Path first = StaticPrograms.binary("exitwith");
        FileTime built = Files.getLastModifiedTime(first);
        Path second = StaticPrograms.binary("exitwith");
        assertThat(second).isEqualTo(first);
        assertThat(Files.getLastModifiedTime(second)).as("not rebuilt").isEqualTo(built);
        assertThat(Files.isExecutable(first)).isTrue();
    }

    @Test
    void aHungProgramIsKilledAndReportedWithItsPartialOutput() {
        try (CaseEnvironment env = CaseEnvironment.create()) {
            Invocation hang = Invocation.of("/bin/busybox",
                    List.of("sh", "-c", "echo started; sleep 30 & wait"), java.time.Duration.ofSeconds(2));
            long start = System.nanoTime();
            assertThatThrownBy(() -> env.run(Mode.NATIVE, hang))
                    .isInstanceOf(BehaviourSetupException.class)
                    .hasMessageContaining("did not finish within PT2S")
                    .hasMessageContaining("stdout so far:\nstarted");
            assertThat(System.nanoTime() - start).as("gave up in time").isLessThan(20_000_000_000L);
        }
    }

    @Test
    void askingForAProgramThatDoesNotExistIsATypedError() {
        assertThatThrownBy(() -> StaticPrograms.binary("no-such-program"))
                .isInstanceOf(BehaviourSetupException.class).hasMessageContaining("no behaviour program");
    }

    @Test
    void jvisorModeWithoutRunscOnTheClassPathSaysSo() {
        try {
            Class.forName(ModeRunner.RUNSC_MAIN);
            return; // runsc is built in this tree; the jvisor cases exercise the real path.
        } catch (ClassNotFoundException expected) {
            // fall through: check the error a user would get
        }
        try (CaseEnvironment env = CaseEnvironment.create()) {
            assertThatThrownBy(() -> env.run(Mode.JVISOR, Invocation.of("/bin/true", List.of(), Timeouts.of(Mode.JVISOR))))
                    .isInstanceOf(BehaviourSetupException.class).hasMessageContaining("not on the class path");
        }
    }

    @Test
    void syscallStatsFilesParseToTheirNumbers() throws IOException {
        Path stats = Files.createTempFile("syscall-stats", ".txt");
        try {
            Files.writeString(stats, "# counts\n0 read 12\n231 exit_group 1\n334 rseq 1 ENOSYS\n");
            assertThat(SyscallCoverage.parse(stats)).containsExactly(0, 231, 334);
            Files.writeString(stats, "0 read\n");
            assertThatThrownBy(() -> SyscallCoverage.parse(stats))
                    .isInstanceOf(BehaviourSetupException.class).hasMessageContaining("malformed");
            Files.writeString(stats, "zero read 1\n");
            assertThatThrownBy(() -> SyscallCoverage.parse(stats)).isInstanceOf(BehaviourSetupException.class);
        } finally {
            Files.deleteIfExists(stats);
        }
    }
}
