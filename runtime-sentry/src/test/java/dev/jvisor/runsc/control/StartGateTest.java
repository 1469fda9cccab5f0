package dev.jvisor.runsc.control;

import dev.jvisor.oci.json.JsonArray;
import dev.jvisor.oci.json.JsonBoolean;
import dev.jvisor.oci.json.JsonNumber;
import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.sentry.RunningSandbox;
import dev.jvisor.sentry.Sandbox;
import dev.jvisor.sentry.SandboxRunner;
import dev.jvisor.sentry.SandboxSpec;
import dev.jvisor.sentry.host.Host;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A created sandbox's control channel before and after start, over a real socket: start is the
 * only thing a created container does, it boots exactly once, a failed boot reaches the one
 * start that asked and the boot process alike, and later requests reach the running sandbox.
 */
class StartGateTest {
    private static final int O_CLOEXEC = 0x80000;

    @TempDir static Path shared;
    private static Path rootfs;
    @TempDir Path stateDir;

    @BeforeAll
    static void rootfs() throws Exception {
        rootfs = SandboxRunner.busyboxRootfs(shared.resolve("rootfs"));
    }

    private static JsonObject call(Path stateDir, String op, String container) throws Exception {
        try (ControlClient c = ControlClient.connect(stateDir)) {
            return c.call(ControlProtocol.request(op).put("container", container).build());
        }
    }

    private static ControlException.Code refusal(Path stateDir, String op, String container) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> call(stateDir, op, container));
        assertThat(t).isInstanceOf(ControlException.class);
        return ((ControlException) t).code();
    }

    @Test
    void beforeStartOnlyStartAndStateOfItsOwnContainerAreServed() throws Exception {
        AtomicInteger boots = new AtomicInteger();
        StartGate gate = new StartGate("c1", () -> {
            boots.incrementAndGet();
            throw new Sandbox.SandboxException("not in this test", null);
        }, s -> { throw new AssertionError("never running"); });
        try (ControlServer server = ControlServer.start(stateDir, gate, System.err)) {
            JsonObject state = call(stateDir, ControlProtocol.STATE, "c1");
            assertThat(state.get("started")).isEqualTo(new JsonBoolean(false));
            for (String op : List.of(ControlProtocol.SIGNAL, ControlProtocol.PS, ControlProtocol.PAUSE, ControlProtocol.EXEC,
                    ControlProtocol.CREATE, ControlProtocol.DELETE)) {
                assertThat(refusal(stateDir, op, "c1")).as(op).isEqualTo(ControlException.Code.WRONG_STATE);
            }
            assertThat(refusal(stateDir, ControlProtocol.START, "someone-else")).isEqualTo(ControlException.Code.NO_SUCH_CONTAINER);
            // A member start does not define is refused, not ignored.
            try (ControlClient c = ControlClient.connect(stateDir)) {
                assertThatThrownBy(() -> c.call(ControlProtocol.request(ControlProtocol.START).put("container", "c1")
                        .put("argv", "x").build())).isInstanceOf(ControlException.class)
                        .extracting(e -> ((ControlException) e).code()).isEqualTo(ControlException.Code.BAD_REQUEST);
            }
            assertThat(boots).hasValue(0);
        }
    }

    @Test
    void aFailedBootIsStartsErrorAndTheBootProcessesToo() throws Exception {
        StartGate gate = new StartGate("c1", () -> {
            throw new Sandbox.SandboxException("cannot serve the root filesystem: no such directory", null);
        }, s -> { throw new AssertionError("never running"); });
        try (ControlServer server = ControlServer.start(stateDir, gate, System.err)) {
            Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> call(stateDir, ControlProtocol.START, "c1"));
            assertThat(t).isInstanceOf(ControlException.class).hasMessageContaining("no such directory");
            assertThat(((ControlException) t).code()).isEqualTo(ControlException.Code.EXEC_FAILED);
            assertThatThrownBy(gate::awaitStart).isInstanceOf(Sandbox.SandboxException.class).hasMessageContaining("no such directory");
            // A container starts once, even when its first start failed.
            assertThat(refusal(stateDir, ControlProtocol.START, "c1")).isEqualTo(ControlException.Code.WRONG_STATE);
        }
    }

    @Test
    void aBugInTheBootStillEndsTheWaitOfTheBootProcess() throws Exception {
        StartGate gate = new StartGate("c1", () -> {
            throw new IllegalStateException("bug");
        }, s -> { throw new AssertionError("never running"); });
        try (ControlServer server = ControlServer.start(stateDir, gate, System.err)) {
            assertThat(refusal(stateDir, ControlProtocol.START, "c1")).isEqualTo(ControlException.Code.EXEC_FAILED);
            assertThatThrownBy(gate::awaitStart).isInstanceOf(Sandbox.SandboxException.class).hasMessageContaining("bug");
        }
    }

    @Test
    void startBootsOnceAndThenTheRunningSandboxAnswers() throws Exception {
        AtomicInteger boots = new AtomicInteger();
        int stdin = Host.pipe2(O_CLOEXEC)[0];
        SandboxSpec spec = new SandboxSpec(rootfs, List.of("/bin/sleep", "30"), List.of(), "/", "box", false, stdin, 2, 2);
        StartGate gate = new StartGate("c1", () -> {
            boots.incrementAndGet();
            return RunningSandbox.boot("c1", spec, System.err);
        }, s -> new SandboxControl(s, stateDir.getParent(), System.err));
        try (ControlServer server = ControlServer.start(stateDir, gate, System.err)) {
            JsonObject started = call(stateDir, ControlProtocol.START, "c1");
            assertThat(started.get("pid")).isInstanceOf(JsonNumber.class);
            try (RunningSandbox sandbox = gate.awaitStart()) {
                assertThat(boots).hasValue(1);
                // The program runs by the time start has its answer.
                JsonObject state = call(stateDir, ControlProtocol.STATE, "c1");
                assertThat(state.get("running")).isEqualTo(new JsonBoolean(true));
                JsonObject ps = call(stateDir, ControlProtocol.PS, "c1");
                assertThat(((JsonArray) ps.get("pids")).elements()).isNotEmpty();
                assertThat(refusal(stateDir, ControlProtocol.START, "c1")).isEqualTo(ControlException.Code.WRONG_STATE);
                assertThat(boots).hasValue(1);
                try (ControlClient c = ControlClient.connect(stateDir)) {
                    c.call(ControlProtocol.request(ControlProtocol.SIGNAL).put("container", "c1").put("signal", 9).build());
                }
                assertThat(sandbox.awaitExit()).isEqualTo(128 + 9);
            }
        }
    }
}
