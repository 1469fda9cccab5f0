package dev.jvisor.runsc.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jvisor.node.v1.EventKind;
import dev.jvisor.node.v1.SandboxEvent;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution's runsc, create then start of a pod's sandbox with a policy socket: the boot
 * process streams the sandbox's start (its own pid), the refused syscalls of its program (every
 * call counted) and the exit status to the agent on the socket.
 */
class SandboxEventsIT {
    private static final Path DIST = Path.of(System.getProperty("jvisor.dist.dir", "target/jvisor-runtime")).toAbsolutePath();
    private static final String UID = "2f1e0d9c-8b7a-4c6d-9e5f-403a2b1c0d0e";
    private static final int CALLS = 5000;

    @TempDir Path work;
    private final List<Long> bootPids = new ArrayList<>();

    @AfterEach
    void noBootProcessOutlivesATest() {
        bootPids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }

    private Path bundle() throws Exception {
        Path bundle = Files.createDirectories(work.resolve("bundle"));
        Path rootfs = Files.createDirectories(bundle.resolve("rootfs"));
        Path source = work.resolve("deny-flood.c");
        try (InputStream in = SandboxEventsIT.class.getResourceAsStream("/monitor/deny-flood.c")) {
            Files.copy(in, source);
        }
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-static", "-O1", "-o", rootfs.resolve("deny-flood").toString(),
                    source.toString()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            assumeTrue(false, "no gcc: " + e.getMessage());
            throw e;
        }
        String diagnostics = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gcc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(gcc.exitValue()).as(diagnostics).isZero();
        // It sleeps two seconds after its refusals: a sandbox's life, long enough for the stream to connect.
        Files.writeString(bundle.resolve("config.json"), """
                {"ociVersion":"1.0.2","hostname":"box",
                 "process":{"user":{"uid":0,"gid":0},"args":["/deny-flood","%d","2"],"env":[],"cwd":"/"},
                 "root":{"path":"rootfs"},
                 "annotations":{"io.kubernetes.cri.container-type":"sandbox",
                   "io.kubernetes.cri.sandbox-namespace":"tenant-a","io.kubernetes.cri.sandbox-name":"web-0",
                   "io.kubernetes.cri.sandbox-uid":"%s"}}""".formatted(CALLS, UID));
        return bundle;
    }

    private String runsc(Path bundle, Path socket, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(DIST.resolve("bin/runsc").toString(), "--root",
                work.resolve("root").toString(), "--log", work.resolve("log.json").toString(), "--log-format", "json",
                "--policy-socket", socket.toString()));
        cmd.addAll(List.of(args));
        Path out = work.resolve("out-" + args[0]);
        Process p = new ProcessBuilder(cmd).directory(bundle.toFile()).redirectOutput(out.toFile())
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = Files.readString(out);
        Path log = work.resolve("log.json");
        assertThat(p.exitValue()).as(output + (Files.exists(log) ? Files.readString(log) : "")).isZero();
        return output;
    }

    @Test
    void bootStreamsStartRefusalsAndExitToTheAgent() throws Exception {
        Path bundle = bundle();
        Path socket = work.resolve("policy.sock");
        try (ScriptedAgent agent = new ScriptedAgent(socket)) {
            try {
                runsc(bundle, socket, "create", "--bundle", bundle.toString(), "--pid-file",
                        bundle.resolve("init.pid").toString(), "pod-sb");
            } finally {
                if (Files.exists(bundle.resolve("init.pid"))) {
                    bootPids.add(Long.parseLong(Files.readString(bundle.resolve("init.pid")).strip()));
                }
            }
            long bootPid = bootPids.getFirst();
            runsc(bundle, socket, "start", "pod-sb");
            assertThat(runsc(bundle, socket, "wait", "pod-sb").strip())
                    .isEqualTo("{\"id\":\"pod-sb\",\"exitStatus\":3}");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (agent.events.stream().noneMatch(e -> e.getKind() == EventKind.SANDBOX_EXITED)
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            List<SandboxEvent> got = List.copyOf(agent.events);
            assertThat(got).isNotEmpty();
            assertThat(got.getFirst().getKind()).isEqualTo(EventKind.SANDBOX_STARTED);
            assertThat(got.getFirst().getSentryPid()).isEqualTo(bootPid);
            assertThat(got.getLast().getKind()).isEqualTo(EventKind.SANDBOX_EXITED);
            assertThat(got.getLast().getExitStatus()).isEqualTo(3);
            assertThat(got).allSatisfy(e -> {
                assertThat(e.getPod().getUid()).isEqualTo(UID);
                assertThat(e.getSandboxId()).isEqualTo("pod-sb");
            });
            assertThat(SandboxEventReporterTest.calls(got, EventKind.SYSCALL_DENIED, "ptrace")).isEqualTo(CALLS);
            assertThat(SandboxEventReporterTest.calls(got, EventKind.SYSCALL_DENIED, "mount")).isEqualTo(1);
            assertThat(got.stream().filter(e -> e.getSyscall().equals("ptrace")).count()).isLessThan(10);
            // Nothing of gRPC reached the container's stdio.
            assertThat(Files.readString(work.resolve("out-create"))).isEmpty();
        }
    }
}
