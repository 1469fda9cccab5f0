/**
 * Tests of the Helm chart {@code charts/jvisor}: strict lint, and the objects {@code helm template}
 * renders for several values files, checked against what the operator and node agent need (their
 * generated RBAC and webhook configurations, their settings, the generated CRD).
 */
package dev.jvisor.chart;
