package dev.jvisor.nodeagent.policy;

import dev.jvisor.node.v1.EventKind;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Counters of the policy service, exported in Prometheus' text format on the agent's metrics
 * endpoint. Label values come from a fixed set (event kinds, decision results) or, for syscall
 * names, from validated names capped in number, so a hostile sandbox cannot grow the series
 * without bound.
 */
public final class SandboxMetrics {

    /** A syscall name as in the kernel's syscall_64.tbl, or syscall_NNN for an unnamed number. */
    static final Pattern SYSCALL_NAME = Pattern.compile("[a-z][a-z0-9_]{0,31}");
    /** Distinct syscall label values kept; x86-64 has fewer than 470 syscalls. */
    static final int MAX_SYSCALL_SERIES = 512;
    static final String OTHER = "other";

    private final Map<String, AtomicLong> decisions = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> events = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> deniedSyscalls = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> unsupportedSyscalls = new ConcurrentHashMap<>();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong streams = new AtomicLong();
    private final AtomicLong podEventsRecorded = new AtomicLong();
    private final AtomicLong podEventsFailed = new AtomicLong();
    private final AtomicLong podEventsFolded = new AtomicLong();

    /** @param result allowed, denied, invalid or unavailable */
    void decision(String result) {
        decisions.computeIfAbsent(result, r -> new AtomicLong()).incrementAndGet();
    }

    void stream() {
        streams.incrementAndGet();
    }

    /**
     * @param calls for SYSCALL_DENIED and UNSUPPORTED_SYSCALL: how many calls the event stands for
     *              (sandboxes fold repeats); counted exactly, whatever becomes of the pod Events
     */
    void event(EventKind kind, String syscall, long calls) {
        events.computeIfAbsent(kind.name().toLowerCase(Locale.ROOT), k -> new AtomicLong()).incrementAndGet();
        if (kind == EventKind.SYSCALL_DENIED) {
            countCalls(deniedSyscalls, syscall, calls);
        } else if (kind == EventKind.UNSUPPORTED_SYSCALL) {
            countCalls(unsupportedSyscalls, syscall, calls);
        }
    }

    private static void countCalls(Map<String, AtomicLong> bySyscall, String syscall, long calls) {
        String label = SYSCALL_NAME.matcher(syscall).matches()
                && (bySyscall.containsKey(syscall) || bySyscall.size() < MAX_SYSCALL_SERIES)
                ? syscall : OTHER;
        bySyscall.computeIfAbsent(label, k -> new AtomicLong()).addAndGet(Math.max(1, calls));
    }

    void rejected() {
        rejected.incrementAndGet();
    }

    void podEventRecorded() {
        podEventsRecorded.incrementAndGet();
    }

    /** A sandbox event added to the count of a pod Event already written in its interval. */
    void podEventFolded() {
        podEventsFolded.incrementAndGet();
    }

    void podEventFailed() {
        podEventsFailed.incrementAndGet();
    }

    long eventCount(EventKind kind) {
        AtomicLong n = events.get(kind.name().toLowerCase(Locale.ROOT));
        return n == null ? 0 : n.get();
    }

    /** Prometheus text exposition format (version 0.0.4). */
    public String prometheus() {
        StringBuilder out = new StringBuilder();
        labelled(out, "jvisor_node_agent_policy_decisions_total",
                "GetSandboxPolicy answers, by result (allowed, denied, invalid, unavailable).", "result", decisions);
        labelled(out, "jvisor_node_agent_sandbox_events_total", "Monitoring events accepted from sandboxes, by kind.",
                "kind", events);
        labelled(out, "jvisor_node_agent_syscalls_denied_total", "System calls sandboxes refused, by name (each event counts the calls it stands for).",
                "syscall", deniedSyscalls);
        labelled(out, "jvisor_node_agent_syscalls_unsupported_total",
                "System calls sandboxes do not implement, by name (each event counts the calls it stands for).",
                "syscall", unsupportedSyscalls);
        counter(out, "jvisor_node_agent_sandbox_events_rejected_total",
                "Monitoring events dropped as malformed, from another pod than their stream's, or over the limit.",
                rejected.get());
        counter(out, "jvisor_node_agent_event_streams_total", "Event streams opened by sandboxes.", streams.get());
        counter(out, "jvisor_node_agent_pod_events_recorded_total", "Kubernetes Events written on pods.",
                podEventsRecorded.get());
        counter(out, "jvisor_node_agent_pod_events_folded_total",
                "Sandbox events added to the count of a pod Event of the same series instead of a new Event.",
                podEventsFolded.get());
        counter(out, "jvisor_node_agent_pod_events_failed_total",
                "Kubernetes Events that could not be written (API error or queue full).", podEventsFailed.get());
        return out.toString();
    }

    private static void labelled(StringBuilder out, String name, String help, String label,
                                 Map<String, AtomicLong> values) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" counter\n");
        new TreeMap<>(values).forEach((value, count) -> out.append(name).append('{').append(label).append("=\"")
                .append(value).append("\"} ").append(count.get()).append('\n'));
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" counter\n").append(name).append(' ').append(value).append('\n');
    }
}
