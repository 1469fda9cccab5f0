package dev.jvisor.nodeagent.cri;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jvisor.nodeagent.cri.v1.CriApi;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;

/**
 * Proves that containerd can run pods with the jVisor handler before the node is labelled ready:
 * containerd must list the handler, and in {@link Mode#SANDBOX} mode a real pod sandbox is run in
 * it (host network, so no CNI is needed) and removed again.
 */
public final class HandlerProbe {

    /** How far the proof goes. */
    public enum Mode {
        /** containerd lists the handler in its CRI status. */
        STATUS,
        /** ...and a pod sandbox actually runs in it. */
        SANDBOX;

        public static Mode parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("probe mode must be status or sandbox: " + text);
            }
        }
    }

    /** The namespace the probe pod claims in CRI metadata; it is never a Kubernetes pod. */
    public static final String PROBE_NAMESPACE = "jvisor-system";
    public static final String PROBE_NAME = "jvisor-handler-probe";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final CriClient cri;
    private final Duration sandboxTimeout;

    public HandlerProbe(CriClient cri, Duration sandboxTimeout) {
        this.cri = cri;
        this.sandboxTimeout = sandboxTimeout;
    }

    public void verify(String handler, Mode mode) throws CriException {
        if (!lists(cri.status(true), handler)) {
            throw new CriException(CriException.Reason.HANDLER_MISSING,
                    "containerd does not list runtime handler '" + handler + "'");
        }
        if (mode == Mode.SANDBOX) {
            runSandbox(handler);
        }
    }

    /** Whether containerd's status names the handler (2.x: runtime_handlers; 1.x: the config JSON). */
    static boolean lists(CriApi.StatusResponse status, String handler) {
        if (status.getRuntimeHandlersList().stream().anyMatch(h -> handler.equals(h.getName()))) {
            return true;
        }
        String config = status.getInfoOrDefault("config", "");
        if (config.isEmpty()) {
            return false;
        }
        try {
            JsonNode runtimes = JSON.readTree(config).path("containerd").path("runtimes");
            return runtimes.has(handler);
        } catch (IOException unreadable) {
            return false;
        }
    }

    private void runSandbox(String handler) throws CriException {
        CriApi.PodSandboxConfig config = CriApi.PodSandboxConfig.newBuilder()
                .setMetadata(CriApi.PodSandboxMetadata.newBuilder()
                        .setName(PROBE_NAME)
                        .setNamespace(PROBE_NAMESPACE)
                        .setUid(UUID.randomUUID().toString()))
                .putLabels("jvisor.dev/probe", "true")
                .setLinux(CriApi.LinuxPodSandboxConfig.newBuilder()
                        .setSecurityContext(CriApi.LinuxSandboxSecurityContext.newBuilder()
                                .setNamespaceOptions(CriApi.NamespaceOption.newBuilder()
                                        .setNetwork(CriApi.NamespaceMode.NODE))))
                .build();
        String id = cri.runPodSandbox(config, handler, sandboxTimeout);
        CriException failure = null;
        try {
            CriApi.PodSandboxStatus status = cri.podSandboxStatus(id);
            if (status.getState() != CriApi.PodSandboxState.SANDBOX_READY) {
                failure = new CriException(CriException.Reason.PROBE_FAILED, "probe sandbox is " + status.getState());
            } else if (!status.getRuntimeHandler().isEmpty() && !handler.equals(status.getRuntimeHandler())) {
                failure = new CriException(CriException.Reason.PROBE_FAILED,
                        "probe sandbox ran in handler '" + status.getRuntimeHandler() + "'");
            }
        } finally {
            try {
                cri.stopPodSandbox(id);
                cri.removePodSandbox(id);
            } catch (CriException cleanup) {
                if (failure == null) {
                    failure = cleanup;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
