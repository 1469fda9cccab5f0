package dev.jvisor.operator.policy;

import static dev.jvisor.operator.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.api.v1alpha1.Enforcement;
import dev.jvisor.api.v1alpha1.NetworkMode;
import dev.jvisor.api.v1alpha1.Overhead;
import dev.jvisor.api.v1alpha1.SandboxPolicy;
import dev.jvisor.api.v1alpha1.SyscallFilter;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyValidatorTest {

    static List<String> violations(SandboxPolicy policy, SandboxPolicy... others) {
        return PolicyValidator.validate(policy, List.of(others)).stream().map(PolicyViolation::toString).toList();
    }

    @Test
    void defaultPolicyIsValid() {
        assertThat(violations(policy("default"))).isEmpty();
    }

    @Test
    void emptyOrMalformedHandlerIsRefusedWithAReason() {
        SandboxPolicy policy = policy("p");
        policy.getSpec().setHandler("");
        assertThat(violations(policy)).singleElement().asString()
                .startsWith("spec.handler:").contains("must not be empty");
        policy.getSpec().setHandler("Has_Upper");
        assertThat(violations(policy)).singleElement().asString().contains("not a DNS label");
        policy.getSpec().setHandler("a".repeat(64));
        assertThat(violations(policy)).singleElement().asString().contains("at most 63");
    }

    @Test
    void hostNetworkEnforcedOnEveryNamespaceIsAContradiction() {
        SandboxPolicy policy = policy("everywhere");
        policy.getSpec().setNamespaceSelector(new LabelSelector());
        policy.getSpec().getSandbox().setNetwork(NetworkMode.HOST);
        assertThat(violations(policy)).singleElement().asString()
                .startsWith("spec.sandbox.network:").contains("every namespace");
        policy.getSpec().setEnforcement(Enforcement.AUDIT);
        assertThat(violations(policy)).isEmpty();
        policy.getSpec().setEnforcement(Enforcement.ENFORCE);
        policy.getSpec().setNamespaceSelector(null);
        assertThat(violations(policy)).as("the default selector is scoped").isEmpty();
    }

    @Test
    void runtimeClassNameCannotBeTakenFromAnotherPolicy() {
        SandboxPolicy first = policy("first");
        SandboxPolicy second = policy("second");
        assertThat(violations(second, first)).singleElement().asString()
                .contains("already owned by SandboxPolicy first");
        assertThat(violations(first, first)).as("updating itself is fine").isEmpty();
        second.getSpec().setRuntimeClassName("jvisor-debug");
        assertThat(violations(second, first)).isEmpty();
    }

    @Test
    void syscallAndOverheadMistakesAreNamed() {
        SandboxPolicy policy = policy("p");
        SyscallFilter filter = new SyscallFilter();
        filter.setDeny(List.of("ptrace", "ptrace", "Open", "keyctl"));
        filter.setErrno("eperm");
        policy.getSpec().getSandbox().setSyscalls(filter);
        Overhead overhead = new Overhead();
        overhead.setPodFixed(Map.of("gpu", new Quantity("1"), "memory", new Quantity("lots")));
        policy.getSpec().setOverhead(overhead);
        assertThat(violations(policy)).containsExactlyInAnyOrder(
                "spec.sandbox.syscalls.deny: ptrace is listed twice",
                "spec.sandbox.syscalls.deny: \"Open\" is not a system call name (lower-case, as in the kernel's "
                        + "syscall_64.tbl)",
                "spec.sandbox.syscalls.errno: \"eperm\" is not an errno name like EPERM or ENOSYS",
                "spec.overhead.podFixed: takes only cpu and memory, not gpu",
                "spec.overhead.podFixed.memory: \"lots\" is not a Kubernetes quantity like 250m or 64Mi");
    }

    @Test
    void straceWithoutDebugAndBadSelectorsAndPriorityAreRefused() {
        SandboxPolicy policy = policy("p");
        policy.getSpec().getSandbox().setStrace(true);
        policy.getSpec().setPriority(5000);
        policy.getSpec().setPodSelector(LabelSelectorsTest.expression("app", "In"));
        assertThat(violations(policy)).containsExactlyInAnyOrder(
                "spec.sandbox.strace: strace writes to the debug log, so it needs debug: true",
                "spec.priority: 5000 is outside 0..1000",
                "spec.podSelector: requirement app In needs values");
    }
}
