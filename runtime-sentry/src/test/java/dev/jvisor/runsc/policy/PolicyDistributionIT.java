package dev.jvisor.runsc.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.node.v1.SandboxPolicyDecision;
import dev.jvisor.node.v1.SandboxSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution's runsc at create, with gRPC loaded from lib/policy/ (it is not on the
 * launcher's class path), against an agent on a real unix socket.
 */
class PolicyDistributionIT {
    private static final Path DIST = Path.of(System.getProperty("jvisor.dist.dir", "target/jvisor-runtime")).toAbsolutePath();
    private static final Path ROOTFS = Path.of(System.getProperty("jvisor.rootfs.busybox", "target/rootfs-busybox")).toAbsolutePath();
    private static final String UID = "2f1e0d9c-8b7a-4c6d-9e5f-403a2b1c0d0e";

    @TempDir Path work;
    private final List<Long> bootPids = new ArrayList<>();

    @AfterEach
    void noBootProcessOutlivesATest() {
        bootPids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }

    private Path bundle() throws Exception {
        Path bundle = Files.createDirectories(work.resolve("bundle"));
        Files.createSymbolicLink(bundle.resolve("rootfs"), ROOTFS);
        Files.writeString(bundle.resolve("config.json"), """
                {"ociVersion":"1.0.2","hostname":"box",
                 "process":{"user":{"uid":0,"gid":0},"args":["sleep","30"],"env":["PATH=/bin"],"cwd":"/"},
                 "root":{"path":"rootfs"},
                 "annotations":{"io.kubernetes.cri.container-type":"sandbox",
                   "io.kubernetes.cri.sandbox-namespace":"tenant-a","io.kubernetes.cri.sandbox-name":"web-0",
                   "io.kubernetes.cri.sandbox-uid":"%s","jvisor.dev/network":"host"}}""".formatted(UID));
        return bundle;
    }

    private record Result(int status, String output, String log) {}

    private Result create(Path bundle, Path socket, String id) throws Exception {
        Path out = work.resolve(id + ".out");
        Process p = new ProcessBuilder(DIST.resolve("bin/runsc").toString(), "--root", work.resolve("root").toString(),
                "--log", work.resolve("log.json").toString(), "--log-format", "json",
                "--policy-socket", socket.toString(), "--policy-timeout-ms", "5000",
                "create", "--bundle", bundle.toString(), "--pid-file", bundle.resolve(id + ".pid").toString(), id)
                .directory(bundle.toFile()).redirectOutput(out.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Path pidFile = bundle.resolve(id + ".pid");
        if (Files.exists(pidFile)) bootPids.add(Long.parseLong(Files.readString(pidFile).strip()));
        Path log = work.resolve("log.json");
        return new Result(p.exitValue(), Files.readString(out), Files.exists(log) ? Files.readString(log) : "");
    }

    private static String lastError(String log) {
        return log.lines().filter(l -> l.contains("\"level\":\"error\"")).reduce((a, b) -> b).orElse("");
    }

    @Test
    void aPodTheAgentDeniesIsNotCreatedAndTheShimSeesWhy() throws Exception {
        Path socket = work.resolve("policy.sock");
        try (ScriptedAgent agent = new ScriptedAgent(socket, r -> SandboxPolicyDecision.newBuilder().setAllowed(false)
                .setReason("no SandboxPolicy governs pod tenant-a/web-0").build())) {
            Result r = create(bundle(), socket, "denied");
            assertThat(r.status()).as(r.output()).isNotZero();
            assertThat(lastError(r.log())).contains("tenant-a/web-0").contains("not allowed")
                    .contains("no SandboxPolicy governs");
            assertThat(agent.requests).singleElement().satisfies(q -> {
                assertThat(q.getPod().getUid()).isEqualTo(UID);
                assertThat(q.getRequested().getNetwork()).isEqualTo("host");
            });
            // Nothing of the container stays behind, and gRPC wrote nothing into the container's stdio.
            assertThat(work.resolve("root/denied")).doesNotExist();
            assertOnlyRunscWrote(r.output());
        }
    }

    @Test
    void withoutAnAgentCreateFailsClosed() throws Exception {
        Result r = create(bundle(), work.resolve("nobody-listens.sock"), "closed");
        assertThat(r.status()).isNotZero();
        assertThat(lastError(r.log())).contains("did not answer").contains("UNAVAILABLE")
                .contains("policy-fail-open is false");
        assertOnlyRunscWrote(r.output());
    }

    @Test
    void aPodTheAgentAllowsIsCreated() throws Exception {
        Path socket = work.resolve("policy.sock");
        try (ScriptedAgent agent = new ScriptedAgent(socket, r -> SandboxPolicyDecision.newBuilder().setAllowed(true)
                .setPolicy("untrusted").setSettings(SandboxSettings.newBuilder().setNetwork("sandbox")
                        .setFileAccess("exclusive").setRootOverlay("memory")).build())) {
            Result r = create(bundle(), socket, "allowed");
            assertThat(r.status()).as(r.output() + r.log()).isZero();
            assertThat(bootPids).hasSize(1);
            assertThat(work.resolve("root/allowed")).isDirectory();
            assertThat(r.output()).isEmpty();
        }
    }

    /** create's stdout and stderr are the container's: only runsc's own error line may appear there. */
    private static void assertOnlyRunscWrote(String output) {
        assertThat(output.lines().filter(l -> !l.startsWith("runsc: ")).toList()).isEmpty();
    }
}
