package dev.jvisor.nodeagent.cri;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jvisor.nodeagent.containerd.RuntimeHandler;
import dev.jvisor.cri.v1.CriApi;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Proves that containerd can run pods with the jVisor handler before the node is labelled ready:
 * containerd must list the handler as configured, and in {@link Mode#SANDBOX} mode a real pod sandbox is run in
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

    public void verify(RuntimeHandler handler, Mode mode) throws CriException {
        String mismatch = mismatch(cri.status(true), handler);
        if (mismatch != null) {
            throw new CriException(CriException.Reason.HANDLER_MISSING, mismatch);
        }
        if (mode == Mode.SANDBOX) {
            runSandbox(handler.name());
        }
    }

    /**
     * Why containerd's status does not show the handler as configured, or {@code null} when it
     * does. containerd 2.x names its handlers in {@code runtime_handlers}; 1.x publishes its whole
     * CRI config as JSON in {@code info["config"]}, where the handler's options can be compared too
     * (a stale entry, say from an earlier install directory, is as good as a missing one).
     */
    static String mismatch(CriApi.StatusResponse status, RuntimeHandler handler) {
        if (status.getRuntimeHandlersList().stream().anyMatch(h -> handler.name().equals(h.getName()))) {
            return null;
        }
        String config = status.getInfoOrDefault("config", "");
        JsonNode runtime;
        try {
            runtime = config.isEmpty() ? null : JSON.readTree(config).path("containerd").path("runtimes")
                    .get(handler.name());
        } catch (IOException unreadable) {
            runtime = null;
        }
        if (runtime == null) {
            return "containerd does not list runtime handler '" + handler.name() + "'";
        }
        JsonNode options = runtime.path("options");
        String binary = options.path("BinaryName").asText(handler.binaryName());
        String root = options.path("Root").asText(handler.root());
        if (!binary.equals(handler.binaryName()) || !root.equals(handler.root())) {
            return "containerd serves handler '" + handler.name() + "' with BinaryName " + binary + " and Root "
                    + root + ", not " + handler.binaryName() + " and " + handler.root();
        }
        return null;
    }

    /**
     * The uids of probe sandboxes this process is creating right now. The probe pod exists in no
     * API server, so the agent's policy service admits it by this uid alone (see
     * {@link #isProbeInFlight}), and only while the probe runs.
     */
    private static final Set<String> PROBES_IN_FLIGHT = ConcurrentHashMap.newKeySet();

    /** Whether {@code namespace/name} with {@code uid} is a probe sandbox this process is creating. */
    public static boolean isProbeInFlight(String namespace, String name, String uid) {
        return PROBE_NAMESPACE.equals(namespace) && PROBE_NAME.equals(name) && PROBES_IN_FLIGHT.contains(uid);
    }

    /** Admits a probe sandbox of {@code uid} to the policy service until the handle is closed. */
    public static AutoCloseableProbe probeInFlight(String uid) {
        PROBES_IN_FLIGHT.add(uid);
        return () -> PROBES_IN_FLIGHT.remove(uid);
    }

    /** The handle {@link #probeInFlight} returns; closing it cannot fail. */
    @FunctionalInterface
    public interface AutoCloseableProbe extends AutoCloseable {
        @Override
        void close();
    }

    private void runSandbox(String handler) throws CriException {
        String uid = UUID.randomUUID().toString();
        try (AutoCloseableProbe admitted = probeInFlight(uid)) {
            runSandbox(handler, uid);
        }
    }

    private void runSandbox(String handler, String uid) throws CriException {
        CriApi.PodSandboxConfig config = CriApi.PodSandboxConfig.newBuilder()
                .setMetadata(CriApi.PodSandboxMetadata.newBuilder()
                        .setName(PROBE_NAME)
                        .setNamespace(PROBE_NAMESPACE)
                        .setUid(uid))
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
