package dev.jvisor.operator.policy;

import static dev.jvisor.operator.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.api.v1alpha1.Monitoring;
import dev.jvisor.api.v1alpha1.NetworkMode;
import dev.jvisor.api.v1alpha1.SandboxPolicy;
import dev.jvisor.api.v1alpha1.SyscallAction;
import dev.jvisor.api.v1alpha1.SyscallFilter;
import dev.jvisor.api.v1alpha1.TracePoint;
import java.util.List;
import org.junit.jupiter.api.Test;

class SandboxAnnotationRendererTest {

    @Test
    void defaultsAreSpelledOutSoThePodCarriesItsWholeSandbox() {
        assertThat(SandboxAnnotationRenderer.render(policy("default"))).containsExactly(
                java.util.Map.entry("jvisor.dev/debug", "false"),
                java.util.Map.entry("jvisor.dev/file-access", "exclusive"),
                java.util.Map.entry("jvisor.dev/network", "sandbox"),
                java.util.Map.entry("jvisor.dev/overlay", "true"),
                java.util.Map.entry("jvisor.dev/platform", "ptrace"),
                java.util.Map.entry("jvisor.dev/policy", "default"),
                java.util.Map.entry("jvisor.dev/strace", "false"));
    }

    @Test
    void syscallFilterAndMonitoringAreCarried() {
        SandboxPolicy policy = policy("strict");
        SyscallFilter filter = new SyscallFilter();
        filter.setDeny(List.of("ptrace", "keyctl"));
        policy.getSpec().getSandbox().setSyscalls(filter);
        Monitoring monitoring = new Monitoring();
        monitoring.setTracePoints(List.of(TracePoint.EXEC, TracePoint.CONNECT));
        policy.getSpec().getSandbox().setMonitoring(monitoring);
        policy.getSpec().getSandbox().setNetwork(NetworkMode.NONE);
        assertThat(SandboxAnnotationRenderer.render(policy))
                .containsEntry("jvisor.dev/syscall-deny", "ptrace,keyctl")
                .containsEntry("jvisor.dev/syscall-action", "errno:EPERM")
                .containsEntry("jvisor.dev/monitoring", "exec,connect")
                .containsEntry("jvisor.dev/network", "none");
        policy.getSpec().getSandbox().setRootOverlay(dev.jvisor.api.v1alpha1.RootOverlay.NONE);
        assertThat(SandboxAnnotationRenderer.render(policy)).as("spelled as runsc's --overlay flag")
                .containsEntry("jvisor.dev/overlay", "false");
        filter.setAction(SyscallAction.KILL);
        assertThat(SandboxAnnotationRenderer.render(policy)).containsEntry("jvisor.dev/syscall-action", "kill");
    }
}
