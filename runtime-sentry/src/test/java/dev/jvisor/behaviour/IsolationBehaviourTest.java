package dev.jvisor.behaviour;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The isolation probe ({@code src/test/c/isolation.c}) asks the kernel for host-level power —
 * reboot, mount, module loading, kexec, swap, raw I/O ports, ptrace of a foreign pid — and opens
 * host paths outside the rootfs. Inside jVisor every one of those must fail, and the host must
 * show no trace of the attempt. Natively the probe must refuse to run at all.
 */
class IsolationBehaviourTest {
    private static final String CASE_ID = Expectation.caseId("c", "isolation");

    /** Calls that must fail in the sandbox, whatever errno the Sentry picks. */
    private static final List<String> MUST_FAIL = List.of(
            "reboot", "mount", "umount2 /", "init_module", "finit_module", "delete_module", "kexec_load",
            "swapon", "swapoff", "ptrace(PTRACE_ATTACH, host-like pid 2)", "iopl(3)", "ioperm",
            "open host canary", "open host canary through /../..", "open host canary through a symlink",
            "create host file", "open /proc/1/root/../../../etc/shadow", "open /dev/mem", "open /dev/kmem",
            "open /proc/kcore", "open /dev/sda", "open /dev/vda", "open /etc/shadow", "open /run/containerd",
            "pivot_root", "acct", "setns", "process_vm_readv", "process_vm_writev", "kexec_file_load", "bpf",
            "open_tree", "fsopen", "move_mount");

    private static final String CANARY_TEXT = "host-only canary\n";

    @Test
    void probeRefusesToRunOutsideTheSandbox() throws IOException {
        try (CaseEnvironment env = CaseEnvironment.create()) {
            Path canary = hostCanary(env);
            Path target = env.workDir().resolve("created-by-probe");
            // Armed as in the sandbox; only the pid-1 guard stands between it and the host.
            Invocation probe = new Invocation("/bin/isolation", List.of(canary.toString(), target.toString()),
                    Map.of("JVISOR_ISOLATION_PROBE", "1"), Timeouts.of(Mode.NATIVE));
            Outcome outcome = env.run(Mode.NATIVE, probe);
            assertThat(outcome.status()).as("refusal status").isEqualTo(3);
            assertThat(outcome.stdout()).as("nothing attempted").isEmpty();
            assertThat(outcome.stderr()).contains("refusing to run outside the sandbox");
            assertThat(target).doesNotExist();
        }
    }

    @TestFactory
    Stream<DynamicTest> sandboxDeniesHostPowerAndLeavesTheHostUntouched() {
        List<Mode> sandboxes = Mode.selected().stream().filter(m -> m != Mode.NATIVE).toList();
        if (sandboxes.isEmpty()) {
            return Stream.of(DynamicTest.dynamicTest("isolation [no sandbox mode selected]", () -> Assumptions.abort(
                    "the isolation probe runs only in a sandbox; " + Mode.PROPERTY + " selects none")));
        }
        return sandboxes.stream().map(mode -> DynamicTest.dynamicTest(
                "isolation [" + mode.label() + "]", () -> probeInSandbox(mode)));
    }

    /** Runs the probe in a sandbox the way the test does; the results are the caller's to judge. */
    static Outcome runProbe(Mode mode, CaseEnvironment env) throws IOException {
        Path canary = hostCanary(env);
        Path target = env.workDir().resolve("created-by-probe");
        Invocation probe = new Invocation("/bin/isolation", List.of(canary.toString(), target.toString()),
                Map.of("JVISOR_ISOLATION_PROBE", "1"), Timeouts.of(mode));
        return env.run(mode, probe);
    }

    private static void probeInSandbox(Mode mode) throws IOException {
        try (CaseEnvironment env = CaseEnvironment.create()) {
            String hostnameBefore = Files.readString(Path.of("/proc/sys/kernel/hostname"));
            String swapsBefore = Files.readString(Path.of("/proc/swaps"));
            Outcome outcome = runProbe(mode, env);
            Path canary = env.workDir().resolve("host-canary");
            Path target = env.workDir().resolve("created-by-probe");

            CaseCheck.verify(mode, CASE_ID, () -> {
                assertThat(outcome.status()).as("probe status (stderr: %s)", outcome.stderr()).isZero();
                Map<String, String> results = parse(outcome.stdout());
                for (String call : MUST_FAIL) {
                    assertThat(results).as("probe reported on %s", call).containsKey(call);
                    assertThat(results.get(call)).as("%s inside the sandbox; transcript:%n%s", call, outcome.stdout())
                            .isNotEqualTo("ok");
                }
                assertThat(target).as("a file the probe tried to create on the host").doesNotExist();
                assertThat(Files.readString(canary)).isEqualTo(CANARY_TEXT);
                assertThat(Files.readString(Path.of("/proc/sys/kernel/hostname"))).isEqualTo(hostnameBefore);
                assertThat(Files.readString(Path.of("/proc/swaps"))).isEqualTo(swapsBefore);
                assertThat(Files.readString(Path.of("/proc/self/mounts"))).doesNotContain("jvisor-isolation");
            });
        }
    }

    /** A host file outside the rootfs (a sibling of it), which the sandbox must not reach. */
    private static Path hostCanary(CaseEnvironment env) throws IOException {
        Path canary = env.workDir().resolve("host-canary");
        Files.writeString(canary, CANARY_TEXT);
        assertThat(canary.startsWith(env.rootfs())).isFalse();
        return canary;
    }

    /** "name: result" lines into a map, in order. */
    private static Map<String, String> parse(String transcript) {
        Map<String, String> results = new LinkedHashMap<>();
        for (String line : transcript.lines().toList()) {
            int colon = line.lastIndexOf(": ");
            if (colon > 0) {
                results.put(line.substring(0, colon), line.substring(colon + 2));
            }
        }
        return results;
    }
}
