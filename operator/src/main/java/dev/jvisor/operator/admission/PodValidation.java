package dev.jvisor.operator.admission;

import dev.jvisor.api.v1alpha1.Enforcement;
import dev.jvisor.api.v1alpha1.SandboxPolicy;
import dev.jvisor.operator.policy.Policies;
import dev.jvisor.operator.policy.Resolution;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The validating pod webhook. Under an enforcing policy it rejects pods that would escape or weaken the sandbox:
 * another (or no) RuntimeClass, the host's network, PID or IPC namespace, or a privileged container. Under Audit
 * it admits them with a warning naming what Enforce would reject.
 */
public final class PodValidation {

    private final GoverningPolicy governing;

    PodValidation(GoverningPolicy governing) {
        this.governing = governing;
    }

    public AdmissionVerdict review(AdmissionRequest request, Pod pod) throws ClusterLookupException {
        if (!"CREATE".equals(request.operation()) && !"UPDATE".equals(request.operation())) {
            return AdmissionVerdict.allow(null, List.of());
        }
        Optional<Resolution> resolution = governing.forPod(request.namespace(), pod);
        if (resolution.isEmpty()) {
            return AdmissionVerdict.allow(null, List.of());
        }
        SandboxPolicy policy = resolution.get().winner();
        String policyName = Policies.name(policy);
        List<String> optOuts = optOuts(pod, Policies.runtimeClassName(policy));
        if (optOuts.isEmpty()) {
            return AdmissionVerdict.allow(policyName, List.of());
        }
        boolean enforced = Policies.enforcement(policy) == Enforcement.ENFORCE || governing.optsInByLegacyAnnotation(pod);
        String subject = "pod " + (pod.getMetadata() == null ? "" : nameOf(request, pod));
        if (!enforced) {
            return AdmissionVerdict.allow(policyName, List.of("SandboxPolicy " + policyName + " (Audit) would reject "
                    + subject + " under Enforce: " + String.join("; ", optOuts)));
        }
        return AdmissionVerdict.deny(policyName, subject + " is rejected by SandboxPolicy " + policyName
                + ", which requires pods in namespace " + request.namespace() + " to run sandboxed: "
                + String.join("; ", optOuts));
    }

    static List<String> optOuts(Pod pod, String runtimeClass) {
        List<String> reasons = new ArrayList<>();
        PodSpec spec = pod.getSpec();
        if (spec == null) {
            reasons.add("it has no spec");
            return reasons;
        }
        if (spec.getRuntimeClassName() == null) {
            reasons.add("it has no runtimeClassName (the mutating webhook did not run); it must be " + runtimeClass);
        } else if (!spec.getRuntimeClassName().equals(runtimeClass)) {
            reasons.add("runtimeClassName is " + spec.getRuntimeClassName() + ", not " + runtimeClass);
        }
        if (Boolean.TRUE.equals(spec.getHostNetwork())) {
            reasons.add("hostNetwork is true");
        }
        if (Boolean.TRUE.equals(spec.getHostPID())) {
            reasons.add("hostPID is true");
        }
        if (Boolean.TRUE.equals(spec.getHostIPC())) {
            reasons.add("hostIPC is true");
        }
        List<String> privileged = new ArrayList<>();
        for (Container c : nonNull(spec.getInitContainers())) {
            if (isPrivileged(c.getSecurityContext())) {
                privileged.add(c.getName());
            }
        }
        for (Container c : nonNull(spec.getContainers())) {
            if (isPrivileged(c.getSecurityContext())) {
                privileged.add(c.getName());
            }
        }
        for (EphemeralContainer c : nonNull(spec.getEphemeralContainers())) {
            if (isPrivileged(c.getSecurityContext())) {
                privileged.add(c.getName());
            }
        }
        if (!privileged.isEmpty()) {
            reasons.add("privileged containers: " + String.join(", ", privileged));
        }
        return reasons;
    }

    private static boolean isPrivileged(SecurityContext context) {
        return context != null && Boolean.TRUE.equals(context.getPrivileged());
    }

    private static <T> List<T> nonNull(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static String nameOf(AdmissionRequest request, Pod pod) {
        String name = pod.getMetadata().getName();
        if (name == null || name.isEmpty()) {
            name = pod.getMetadata().getGenerateName() == null ? request.name()
                    : pod.getMetadata().getGenerateName() + "*";
        }
        return request.namespace() + "/" + (name == null ? "(unnamed)" : name);
    }
}
