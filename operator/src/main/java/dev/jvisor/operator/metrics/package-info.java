/** The operator's Prometheus metrics: reconciles per policy and outcome, admissions per webhook, policy, decision. */
package dev.jvisor.operator.metrics;
