package dev.jvisor.operator.policy;

import dev.jvisor.api.v1alpha1.Enforcement;
import dev.jvisor.api.v1alpha1.NetworkMode;
import dev.jvisor.api.v1alpha1.SandboxPolicy;
import dev.jvisor.api.v1alpha1.SandboxPolicySpec;
import dev.jvisor.api.v1alpha1.SandboxSettings;
import dev.jvisor.api.v1alpha1.SyscallFilter;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything a SandboxPolicy must satisfy, as sentences for the person who wrote it. It repeats the schema's
 * checks (so a bad policy gets one clear explanation even where CEL rules are unsupported) and adds the ones a
 * schema cannot express: contradictions between fields and clashes with other policies.
 */
public final class PolicyValidator {

    private static final Pattern DNS_LABEL = Pattern.compile(SandboxPolicySpec.DNS_LABEL);
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile(SandboxPolicySpec.DNS_SUBDOMAIN);
    private static final Pattern SYSCALL_NAME = Pattern.compile(SyscallFilter.SYSCALL_NAME);
    private static final Pattern ERRNO_NAME = Pattern.compile(SyscallFilter.ERRNO_NAME);
    private static final Set<String> OVERHEAD_RESOURCES = Set.of("cpu", "memory");

    private PolicyValidator() {
    }

    /** Violations of {@code policy} on its own and against the other {@code existing} policies; empty if valid. */
    public static List<PolicyViolation> validate(SandboxPolicy policy, Collection<SandboxPolicy> existing) {
        List<PolicyViolation> violations = new ArrayList<>();
        SandboxPolicySpec spec = Policies.spec(policy);
        checkHandler(spec.getHandler(), violations);
        checkRuntimeClassName(spec.getRuntimeClassName(), violations);
        checkPriority(spec.getPriority(), violations);
        checkSelector("spec.namespaceSelector", spec.getNamespaceSelector(), violations);
        checkSelector("spec.podSelector", spec.getPodSelector(), violations);
        checkSandbox(Policies.sandbox(policy), violations);
        checkOverhead(spec, violations);
        checkHostNetworkUnderEnforceEverywhere(policy, violations);
        checkRuntimeClassNotTaken(policy, existing, violations);
        return violations;
    }

    private static void checkHandler(String handler, List<PolicyViolation> out) {
        if (handler == null || handler.isEmpty()) {
            out.add(new PolicyViolation("spec.handler", "must not be empty: it names the containerd runtime "
                    + "handler that runs the sandbox"));
        } else if (handler.length() > 63 || !DNS_LABEL.matcher(handler).matches()) {
            out.add(new PolicyViolation("spec.handler", "\"" + handler + "\" is not a DNS label (lower-case "
                    + "letters, digits and '-', at most 63 characters), which Kubernetes requires of a handler"));
        }
    }

    private static void checkRuntimeClassName(String name, List<PolicyViolation> out) {
        if (name == null || name.isEmpty()) {
            out.add(new PolicyViolation("spec.runtimeClassName", "must not be empty"));
        } else if (name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches()) {
            out.add(new PolicyViolation("spec.runtimeClassName", "\"" + name + "\" is not a valid RuntimeClass "
                    + "name (a DNS subdomain: lower-case letters, digits, '-' and '.')"));
        }
    }

    private static void checkPriority(Integer priority, List<PolicyViolation> out) {
        if (priority != null && (priority < 0 || priority > 1000)) {
            out.add(new PolicyViolation("spec.priority", priority + " is outside 0..1000"));
        }
    }

    private static void checkSelector(String field, LabelSelector selector, List<PolicyViolation> out) {
        if (selector == null) {
            return;
        }
        try {
            LabelSelectors.validate(selector);
        } catch (InvalidLabelSelectorException e) {
            out.add(new PolicyViolation(field, e.getMessage()));
        }
    }

    private static void checkSandbox(SandboxSettings sandbox, List<PolicyViolation> out) {
        SyscallFilter syscalls = sandbox.getSyscalls();
        if (syscalls != null) {
            Set<String> seen = new HashSet<>();
            for (String name : syscalls.getDeny() == null ? List.<String>of() : syscalls.getDeny()) {
                if (name == null || !SYSCALL_NAME.matcher(name).matches()) {
                    out.add(new PolicyViolation("spec.sandbox.syscalls.deny", "\"" + name + "\" is not a system "
                            + "call name (lower-case, as in the kernel's syscall_64.tbl)"));
                } else if (!seen.add(name)) {
                    out.add(new PolicyViolation("spec.sandbox.syscalls.deny", name + " is listed twice"));
                }
            }
            if (syscalls.getErrno() != null && !ERRNO_NAME.matcher(syscalls.getErrno()).matches()) {
                out.add(new PolicyViolation("spec.sandbox.syscalls.errno", "\"" + syscalls.getErrno()
                        + "\" is not an errno name like EPERM or ENOSYS"));
            }
        }
        if (Boolean.TRUE.equals(sandbox.getStrace()) && !Boolean.TRUE.equals(sandbox.getDebug())) {
            out.add(new PolicyViolation("spec.sandbox.strace", "strace writes to the debug log, so it needs "
                    + "debug: true"));
        }
    }

    private static void checkOverhead(SandboxPolicySpec spec, List<PolicyViolation> out) {
        if (spec.getOverhead() == null || spec.getOverhead().getPodFixed() == null) {
            return;
        }
        for (Map.Entry<String, Quantity> entry : spec.getOverhead().getPodFixed().entrySet()) {
            if (!OVERHEAD_RESOURCES.contains(entry.getKey())) {
                out.add(new PolicyViolation("spec.overhead.podFixed", "takes only cpu and memory, not "
                        + entry.getKey()));
                continue;
            }
            try {
                if (entry.getValue() == null || Quantity.getAmountInBytes(entry.getValue()).signum() < 0) {
                    out.add(new PolicyViolation("spec.overhead.podFixed." + entry.getKey(),
                            "must be a non-negative quantity"));
                }
            } catch (IllegalArgumentException | ArithmeticException e) {
                out.add(new PolicyViolation("spec.overhead.podFixed." + entry.getKey(), "\"" + entry.getValue()
                        + "\" is not a Kubernetes quantity like 250m or 64Mi"));
            }
        }
    }

    /**
     * network: host gives every sandbox the node's network; enforcing that on every namespace (kube-system
     * included) would weaken isolation cluster-wide in one object, so it must be scoped by a selector.
     */
    private static void checkHostNetworkUnderEnforceEverywhere(SandboxPolicy policy, List<PolicyViolation> out) {
        if (Policies.enforcement(policy) == Enforcement.ENFORCE
                && Policies.sandbox(policy).getNetwork() == NetworkMode.HOST
                && LabelSelectors.selectsEverything(Policies.namespaceSelector(policy))) {
            out.add(new PolicyViolation("spec.sandbox.network", "network: host with enforcement: Enforce and a "
                    + "namespaceSelector that matches every namespace would give every sandbox in the cluster "
                    + "the node's network; narrow the namespaceSelector or use network: sandbox"));
        }
    }

    private static void checkRuntimeClassNotTaken(SandboxPolicy policy, Collection<SandboxPolicy> existing,
            List<PolicyViolation> out) {
        String runtimeClass = Policies.runtimeClassName(policy);
        existing.stream()
                .filter(Policies::isLive)
                .filter(other -> !Policies.name(other).equals(Policies.name(policy)))
                .filter(other -> Policies.runtimeClassName(other).equals(runtimeClass))
                .findFirst()
                .ifPresent(other -> out.add(new PolicyViolation("spec.runtimeClassName", "RuntimeClass "
                        + runtimeClass + " is already owned by SandboxPolicy " + Policies.name(other)
                        + "; each policy owns its own RuntimeClass")));
    }
}
