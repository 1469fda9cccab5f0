package dev.jvisor.operator.policy;

import dev.jvisor.api.v1alpha1.Monitoring;
import dev.jvisor.api.v1alpha1.RootOverlay;
import dev.jvisor.api.v1alpha1.SandboxAnnotations;
import dev.jvisor.api.v1alpha1.SandboxPolicy;
import dev.jvisor.api.v1alpha1.SandboxSettings;
import dev.jvisor.api.v1alpha1.SyscallAction;
import dev.jvisor.api.v1alpha1.SyscallFilter;
import dev.jvisor.api.v1alpha1.TracePoint;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The {@code jvisor.dev/*} pod annotations that carry a policy's sandbox settings to runsc. The map is complete:
 * every {@code jvisor.dev/} key that the pod should carry is in it, so the webhook can drop any other such key a
 * pod brought along (a pod must not pick its own sandbox settings under an enforcing policy).
 */
public final class SandboxAnnotationRenderer {

    private SandboxAnnotationRenderer() {
    }

    /** Sorted by key so patches come out in a stable order. */
    public static Map<String, String> render(SandboxPolicy policy) {
        SandboxSettings sandbox = Policies.sandbox(policy);
        Map<String, String> annotations = new TreeMap<>();
        annotations.put(SandboxAnnotations.POLICY, Policies.name(policy));
        annotations.put(SandboxAnnotations.PLATFORM, wire(sandbox.getPlatform(), "ptrace"));
        annotations.put(SandboxAnnotations.NETWORK, wire(sandbox.getNetwork(), "sandbox"));
        annotations.put(SandboxAnnotations.FILE_ACCESS, wire(sandbox.getFileAccess(), "exclusive"));
        // runsc's overlay setting is a boolean: the annotation is spelled as its flag is.
        annotations.put(SandboxAnnotations.ROOT_OVERLAY, Boolean.toString(sandbox.getRootOverlay() != RootOverlay.NONE));
        annotations.put(SandboxAnnotations.DEBUG, Boolean.toString(Boolean.TRUE.equals(sandbox.getDebug())));
        annotations.put(SandboxAnnotations.STRACE, Boolean.toString(Boolean.TRUE.equals(sandbox.getStrace())));
        SyscallFilter syscalls = sandbox.getSyscalls();
        if (syscalls != null && syscalls.getDeny() != null && !syscalls.getDeny().isEmpty()) {
            annotations.put(SandboxAnnotations.SYSCALL_DENY, String.join(",", syscalls.getDeny()));
            annotations.put(SandboxAnnotations.SYSCALL_ACTION, syscallAction(syscalls));
        }
        Monitoring monitoring = sandbox.getMonitoring();
        if (monitoring != null && monitoring.getTracePoints() != null && !monitoring.getTracePoints().isEmpty()) {
            annotations.put(SandboxAnnotations.MONITORING, monitoring.getTracePoints().stream()
                    .map(TracePoint::wireName).collect(Collectors.joining(",")));
        }
        return annotations;
    }

    private static String syscallAction(SyscallFilter syscalls) {
        if (syscalls.getAction() == SyscallAction.KILL) {
            return SyscallAction.KILL.wireName();
        }
        String errno = syscalls.getErrno() == null ? "EPERM" : syscalls.getErrno();
        return SyscallAction.ERRNO.wireName() + ":" + errno;
    }

    private static String wire(Enum<?> value, String fallback) {
        if (value == null) {
            return fallback;
        }
        return switch (value) {
            case dev.jvisor.api.v1alpha1.Platform p -> p.wireName();
            case dev.jvisor.api.v1alpha1.NetworkMode n -> n.wireName();
            case dev.jvisor.api.v1alpha1.FileAccess f -> f.wireName();
            default -> throw new IllegalArgumentException("not a sandbox setting: " + value.getClass());
        };
    }
}
