package dev.jvisor.operator.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** Counters exported at /q/metrics. Policy names are bounded by the number of SandboxPolicies, a small set. */
public class OperatorMetrics {

    /** The outcome of one admission review. */
    public enum Decision {
        ALLOWED, MUTATED, DENIED, REJECTED_MALFORMED;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final MeterRegistry registry;

    public OperatorMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void reconciled(String policy, String result) {
        Counter.builder("jvisor.operator.reconciles")
                .description("SandboxPolicy reconciles by outcome")
                .tag("policy", policy)
                .tag("result", result)
                .register(registry)
                .increment();
    }

    public void admission(String webhook, String policy, Decision decision) {
        Counter.builder("jvisor.operator.admissions")
                .description("Admission reviews answered, by webhook, governing policy and decision")
                .tag("webhook", webhook)
                .tag("policy", policy == null ? "none" : policy)
                .tag("decision", decision.tag())
                .register(registry)
                .increment();
    }
}
