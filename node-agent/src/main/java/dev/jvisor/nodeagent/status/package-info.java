/**
 * What the agent tells the outside about itself: readiness and liveness endpoints for kubelet's
 * probes, and Prometheus metrics of installs, uninstalls, containerd restarts and failures.
 */
package dev.jvisor.nodeagent.status;
