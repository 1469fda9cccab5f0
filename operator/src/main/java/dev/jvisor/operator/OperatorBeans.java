package dev.jvisor.operator;

import dev.jvisor.operator.config.OperatorConfig;
import dev.jvisor.operator.metrics.OperatorMetrics;
import dev.jvisor.operator.reconcile.PolicyEvents;
import dev.jvisor.operator.reconcile.PolicyStatusCalculator;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * CDI wiring. The operator's classes take their collaborators through constructors and know nothing of CDI, so
 * tests build them directly (against the fabric8 mock server) exactly as this class does.
 */
public class OperatorBeans {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    PolicyStatusCalculator statusCalculator(Clock clock) {
        return new PolicyStatusCalculator(clock);
    }

    @Produces
    @Singleton
    PolicyEvents policyEvents(KubernetesClient client, OperatorConfig config, Clock clock) {
        return new PolicyEvents(client, config.eventNamespace(), clock);
    }

    /** Read by the operator extension when leader election is active (the prod profile). */
    @Produces
    @Singleton
    LeaderElectionConfiguration leaderElection(OperatorConfig config) {
        return new LeaderElectionConfiguration(config.leaderElectionLease(), config.namespace());
    }

    @Produces
    @Singleton
    OperatorMetrics metrics(MeterRegistry registry) {
        return new OperatorMetrics(registry);
    }
}
