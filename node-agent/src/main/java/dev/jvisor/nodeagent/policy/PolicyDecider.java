package dev.jvisor.nodeagent.policy;

import dev.jvisor.api.v1alpha1.Enforcement;
import dev.jvisor.api.v1alpha1.Overhead;
import dev.jvisor.api.v1alpha1.SandboxPolicy;
import dev.jvisor.api.v1alpha1.SyscallFilter;
import dev.jvisor.api.v1alpha1.TracePoint;
import dev.jvisor.node.v1.GetSandboxPolicyRequest;
import dev.jvisor.node.v1.RequestedSettings;
import dev.jvisor.node.v1.SandboxLimits;
import dev.jvisor.node.v1.SandboxPolicyDecision;
import dev.jvisor.node.v1.SandboxSettings;
import dev.jvisor.node.v1.SyscallDeny;
import dev.jvisor.nodeagent.cri.HandlerProbe;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides one GetSandboxPolicy request. Allowed only when the pod exists with the uid runsc
 * names (a pod deleted and re-created under the same name is another pod) and a live
 * SandboxPolicy governs it; the answer carries the policy's settings, each tightened by the
 * pod's request where that is stricter. A request that would loosen a setting is listed in
 * {@code overridden} and has no effect.
 */
public final class PolicyDecider {

    /** Each setting's values, least isolated first. */
    static final List<String> NETWORK_ORDER = List.of("host", "sandbox", "none");
    static final List<String> FILE_ACCESS_ORDER = List.of("shared", "exclusive");
    static final List<String> OVERLAY_ORDER = List.of("none", "memory");

    private final ClusterView cluster;

    PolicyDecider(ClusterView cluster) {
        this.cluster = cluster;
    }

    SandboxPolicyDecision decide(GetSandboxPolicyRequest request) throws InvalidRequestException, ClusterViewException {
        String namespace = request.getPod().getNamespace();
        String name = request.getPod().getName();
        String uid = request.getPod().getUid();
        RequestChecks.namespace(namespace);
        RequestChecks.podName(name);
        RequestChecks.uid(uid);
        if (request.getSandboxId().length() > RequestChecks.MAX_SANDBOX_ID) {
            throw new InvalidRequestException("sandbox id longer than " + RequestChecks.MAX_SANDBOX_ID + " characters");
        }
        RequestedSettings requested = request.getRequested();
        if (requested.getAnnotationsCount() > RequestChecks.MAX_ANNOTATIONS) {
            throw new InvalidRequestException("more than " + RequestChecks.MAX_ANNOTATIONS + " annotations");
        }
        Optional<String> network = requestedValue("network", requested.getNetwork(), NETWORK_ORDER);
        Optional<String> fileAccess = requestedValue("file access", requested.getFileAccess(), FILE_ACCESS_ORDER);
        Optional<String> overlay = requestedValue("root overlay", overlaySpelling(requested.getRootOverlay()),
                OVERLAY_ORDER);

        String pod = namespace + "/" + name;
        if (HandlerProbe.isProbeInFlight(namespace, name, uid)) {
            // The agent's own proof that the handler works: no API object, the most isolated settings.
            return SandboxPolicyDecision.newBuilder().setAllowed(true).setReason("the node agent's handler probe")
                    .setSettings(SandboxSettings.newBuilder().setPlatform("ptrace").setNetwork("none")
                            .setFileAccess("exclusive").setRootOverlay("memory"))
                    .build();
        }
        Optional<Pod> found = cluster.pod(namespace, name);
        if (found.isEmpty()) {
            return deny("unknown pod " + pod + ": the API server has no such pod");
        }
        String actualUid = found.get().getMetadata().getUid();
        if (!uid.equals(actualUid)) {
            return deny("pod " + pod + " has uid " + actualUid + ", not " + uid + ": the sandbox belongs to a pod "
                    + "that no longer exists");
        }
        Optional<Map<String, String>> namespaceLabels = cluster.namespaceLabels(namespace);
        if (namespaceLabels.isEmpty()) {
            return deny("namespace " + namespace + " of pod " + pod + " does not exist");
        }
        Map<String, String> podLabels = found.get().getMetadata().getLabels();
        Optional<SandboxPolicy> governing = GoverningPolicy.of(cluster.policies(), namespaceLabels.get(),
                podLabels == null ? Map.of() : podLabels);
        if (governing.isEmpty()) {
            return deny("no SandboxPolicy governs pod " + pod + "; this runtime runs only pods a policy selects");
        }
        return allow(governing.get(), network, fileAccess, overlay);
    }

    private static SandboxPolicyDecision allow(SandboxPolicy policy, Optional<String> network,
                                               Optional<String> fileAccess, Optional<String> overlay) {
        var spec = GoverningPolicy.spec(policy);
        var s = spec.getSandbox() == null ? new dev.jvisor.api.v1alpha1.SandboxSettings() : spec.getSandbox();
        SandboxPolicyDecision.Builder answer = SandboxPolicyDecision.newBuilder()
                .setAllowed(true)
                .setPolicy(policy.getMetadata().getName())
                .setEnforcement((spec.getEnforcement() == null ? Enforcement.ENFORCE : spec.getEnforcement()).wireName())
                .setReason("governed by SandboxPolicy " + policy.getMetadata().getName());
        SandboxSettings.Builder out = SandboxSettings.newBuilder()
                .setPlatform(s.getPlatform() == null ? "ptrace" : s.getPlatform().wireName())
                .setNetwork(tighten("network", s.getNetwork() == null ? "sandbox" : s.getNetwork().wireName(),
                        network, NETWORK_ORDER, answer))
                .setFileAccess(tighten("file-access", s.getFileAccess() == null ? "exclusive"
                        : s.getFileAccess().wireName(), fileAccess, FILE_ACCESS_ORDER, answer))
                .setRootOverlay(tighten("overlay", s.getRootOverlay() == null ? "memory"
                        : s.getRootOverlay().wireName(), overlay, OVERLAY_ORDER, answer))
                .setDebug(Boolean.TRUE.equals(s.getDebug()))
                .setStrace(Boolean.TRUE.equals(s.getStrace()));
        SyscallFilter syscalls = s.getSyscalls();
        if (syscalls != null && syscalls.getDeny() != null && !syscalls.getDeny().isEmpty()) {
            out.setSyscallDeny(SyscallDeny.newBuilder().addAllNames(syscalls.getDeny())
                    .setAction(syscalls.getAction() == null ? "errno" : syscalls.getAction().wireName())
                    .setErrno(syscalls.getErrno() == null ? "EPERM" : syscalls.getErrno()));
        }
        if (s.getMonitoring() != null && s.getMonitoring().getTracePoints() != null) {
            s.getMonitoring().getTracePoints().stream().map(TracePoint::wireName).forEach(out::addTracePoints);
        }
        Overhead overhead = spec.getOverhead();
        if (overhead != null && overhead.getPodFixed() != null) {
            Quantity cpu = overhead.getPodFixed().get("cpu");
            Quantity memory = overhead.getPodFixed().get("memory");
            out.setLimits(SandboxLimits.newBuilder()
                    .setCpu(cpu == null ? "" : cpu.toString())
                    .setMemory(memory == null ? "" : memory.toString()));
        }
        return answer.setSettings(out).build();
    }

    /** The stricter of the policy's value and the request; a looser request is recorded as overridden. */
    private static String tighten(String key, String policyValue, Optional<String> requested, List<String> order,
                                  SandboxPolicyDecision.Builder answer) {
        if (requested.isEmpty()) return policyValue;
        int policyRank = order.indexOf(policyValue);
        int requestRank = order.indexOf(requested.get());
        if (requestRank >= policyRank) return requested.get();
        answer.addOverridden("jvisor.dev/" + key + "=" + requested.get());
        return policyValue;
    }

    private static Optional<String> requestedValue(String what, String value, List<String> allowed)
            throws InvalidRequestException {
        if (value.isEmpty()) return Optional.empty();
        if (!allowed.contains(value)) {
            throw new InvalidRequestException("requested " + what + " " + RequestChecks.quote(value) + " is not one of "
                    + String.join(", ", allowed));
        }
        return Optional.of(value);
    }

    /** runsc's own overlay option is a boolean; the API's spelling is memory/none. */
    private static String overlaySpelling(String value) {
        return switch (value) {
            case "true" -> "memory";
            case "false" -> "none";
            default -> value;
        };
    }

    private static SandboxPolicyDecision deny(String reason) {
        return SandboxPolicyDecision.newBuilder().setAllowed(false).setReason(reason).build();
    }
}
