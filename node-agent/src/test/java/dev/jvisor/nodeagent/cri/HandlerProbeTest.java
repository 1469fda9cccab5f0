package dev.jvisor.nodeagent.cri;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.nodeagent.containerd.RuntimeHandler;
import dev.jvisor.cri.v1.CriApi;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading containerd's CRI status: the shapes below are what containerd 1.6 and 2.x answer. */
class HandlerProbeTest {

    static final RuntimeHandler HANDLER = new RuntimeHandler("jvisor", "/opt/jvisor/current/bin/runsc",
            "/run/jvisor/runsc", List.of("jvisor.dev/*"));

    private static CriApi.StatusResponse withConfig(String json) {
        return CriApi.StatusResponse.newBuilder().putInfo("config", json).build();
    }

    @Test
    void containerd16ConfigWithOurOptionsServesTheHandler() {
        assertThat(HandlerProbe.mismatch(withConfig("""
                {"containerd":{"runtimes":{"runc":{"runtimeType":"io.containerd.runc.v2"},
                "jvisor":{"runtimeType":"io.containerd.runc.v2","PodAnnotations":["jvisor.dev/*"],
                "options":{"BinaryName":"/opt/jvisor/current/bin/runsc","Root":"/run/jvisor/runsc"}}}}}"""), HANDLER))
                .isNull();
    }

    @Test
    void staleOptionsOrAMissingEntryAreReported() {
        assertThat(HandlerProbe.mismatch(withConfig("""
                {"containerd":{"runtimes":{"jvisor":{"options":{"BinaryName":"/old/runsc","Root":"/run/jvisor/runsc"}}}}}"""),
                HANDLER)).contains("/old/runsc");
        assertThat(HandlerProbe.mismatch(withConfig("{\"containerd\":{\"runtimes\":{\"runc\":{}}}}"), HANDLER))
                .contains("does not list");
        assertThat(HandlerProbe.mismatch(withConfig("not json"), HANDLER)).contains("does not list");
        assertThat(HandlerProbe.mismatch(CriApi.StatusResponse.getDefaultInstance(), HANDLER)).contains("does not list");
    }

    @Test
    void containerd2RuntimeHandlersListIsEnough() {
        CriApi.StatusResponse status = CriApi.StatusResponse.newBuilder()
                .addRuntimeHandlers(CriApi.RuntimeHandler.newBuilder().setName("runc"))
                .addRuntimeHandlers(CriApi.RuntimeHandler.newBuilder().setName("jvisor")).build();
        assertThat(HandlerProbe.mismatch(status, HANDLER)).isNull();
    }

    @Test
    void runtimeReadyConditionDecidesHealth() throws Exception {
        CriApi.StatusResponse ready = CriApi.StatusResponse.newBuilder().setStatus(CriApi.RuntimeStatus.newBuilder()
                .addConditions(CriApi.RuntimeCondition.newBuilder().setType("RuntimeReady").setStatus(true))
                .addConditions(CriApi.RuntimeCondition.newBuilder().setType("NetworkReady").setStatus(false)))
                .build();
        ContainerdHealth.checkReady(ready);
        CriApi.StatusResponse notReady = CriApi.StatusResponse.newBuilder().setStatus(CriApi.RuntimeStatus.newBuilder()
                .addConditions(CriApi.RuntimeCondition.newBuilder().setType("RuntimeReady").setStatus(false))).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ContainerdHealth.checkReady(notReady))
                .isInstanceOfSatisfying(CriException.class,
                        e -> assertThat(e.reason()).isEqualTo(CriException.Reason.RUNTIME_NOT_READY));
    }
}
