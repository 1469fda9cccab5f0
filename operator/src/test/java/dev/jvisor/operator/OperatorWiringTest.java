package dev.jvisor.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.operator.admission.TlsTestResource;
import dev.jvisor.operator.reconcile.SandboxPolicyReconciler;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RegisteredController;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * How the operator extension wires the reconciler in the packaged application (the reconciler's behaviour is
 * tested in SandboxPolicyReconcilerTest): it must watch SandboxPolicies cluster-wide and keep a finalizer, and
 * leader election must use the configured Lease.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(TlsTestResource.class)
class OperatorWiringTest {

    @Inject
    Operator operator;

    @Inject
    LeaderElectionConfiguration leaderElection;

    @Test
    void reconcilerWatchesAllNamespacesWithAFinalizer() {
        RegisteredController<?> controller = operator.getRegisteredController(SandboxPolicyReconciler.NAME)
                .orElseThrow(() -> new AssertionError("the SandboxPolicy controller is not registered"));
        assertThat(controller.getConfiguration().getInformerConfig().watchAllNamespaces())
                .as("a cluster-scoped resource must be watched everywhere, not in a configured namespace").isTrue();
        assertThat(controller.getConfiguration().getFinalizerName()).isNotBlank();
        assertThat(controller.getConfiguration().getResourceClass().getSimpleName()).isEqualTo("SandboxPolicy");
    }

    @Test
    void leaderElectionUsesTheConfiguredLease() {
        assertThat(leaderElection.getLeaseName()).isEqualTo("jvisor-operator-leader");
        assertThat(leaderElection.getLeaseNamespace()).contains("jvisor-system");
    }
}
