package dev.jvisor.nodeagent.status;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the agent reports about itself: whether jVisor is installed and proven on this node, and
 * counters of what it has done. Written by install/uninstall, read by the status endpoints.
 */
public final class AgentStatus {

    private final String version;
    private final String handler;
    private final AtomicBoolean ready = new AtomicBoolean();
    private final AtomicLong installs = new AtomicLong();
    private final AtomicLong uninstalls = new AtomicLong();
    private final AtomicLong containerdRestarts = new AtomicLong();
    private final Map<String, AtomicLong> failuresByStep = new TreeMap<>();
    /** Other parts of the agent that export metrics on the same endpoint (the policy service). */
    private final List<Supplier<String>> moreMetrics = new CopyOnWriteArrayList<>();

    public AgentStatus(String version, String handler) {
        this.version = version;
        this.handler = handler;
    }

    public void installed() {
        installs.incrementAndGet();
        ready.set(true);
    }

    /** Not ready from the moment an uninstall starts (the node is being unlabelled). */
    public void uninstalling() {
        ready.set(false);
    }

    public void uninstalled() {
        uninstalls.incrementAndGet();
    }

    public void containerdRestarted() {
        containerdRestarts.incrementAndGet();
    }

    public void failed(String step) {
        ready.set(false);
        synchronized (failuresByStep) {
            failuresByStep.computeIfAbsent(step, s -> new AtomicLong()).incrementAndGet();
        }
    }

    /** Adds {@code metrics}' Prometheus text to what {@link #metrics()} returns. */
    public void exportAlso(Supplier<String> metrics) {
        moreMetrics.add(metrics);
    }

    public boolean ready() {
        return ready.get();
    }

    /** Prometheus text exposition format (version 0.0.4). */
    public String metrics() {
        StringBuilder out = new StringBuilder();
        gauge(out, "jvisor_node_agent_ready", "Whether jVisor is installed, configured and proven on this node.",
                ready.get() ? 1 : 0);
        out.append("# HELP jvisor_node_agent_info The runtime version and handler this agent installs.\n")
                .append("# TYPE jvisor_node_agent_info gauge\n")
                .append("jvisor_node_agent_info{version=\"").append(label(version)).append("\",handler=\"")
                .append(label(handler)).append("\"} 1\n");
        counter(out, "jvisor_node_agent_installs_total", "Completed installs.", installs.get());
        counter(out, "jvisor_node_agent_uninstalls_total", "Completed uninstalls.", uninstalls.get());
        counter(out, "jvisor_node_agent_containerd_restarts_total", "containerd restarts the agent ran.",
                containerdRestarts.get());
        out.append("# HELP jvisor_node_agent_failures_total Install or uninstall failures, by the step that failed.\n")
                .append("# TYPE jvisor_node_agent_failures_total counter\n");
        synchronized (failuresByStep) {
            failuresByStep.forEach((step, count) -> out.append("jvisor_node_agent_failures_total{step=\"")
                    .append(label(step)).append("\"} ").append(count.get()).append('\n'));
        }
        moreMetrics.forEach(m -> out.append(m.get()));
        return out.toString();
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" gauge\n").append(name).append(' ').append(value).append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" counter\n").append(name).append(' ').append(value).append('\n');
    }

    /** Label values escape backslash, double quote and newline (exposition format rules). */
    static String label(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
