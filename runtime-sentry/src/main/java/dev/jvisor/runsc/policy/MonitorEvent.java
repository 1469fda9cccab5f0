package dev.jvisor.runsc.policy;

/**
 * One event for the node agent's {@code StreamEvents}, in plain Java types so that the sandbox
 * needs no gRPC class to make one. The pod and sandbox id are the stream's, added when sent.
 *
 * @param syscall    for the syscall kinds: the name ({@code syscall_N} for an unnamed number)
 * @param calls      for the syscall kinds: how many calls this event stands for
 * @param exitStatus for {@link Kind#EXITED}: the status as a shell reports it
 * @param sentryPid  for {@link Kind#STARTED}: the host pid of the Sentry
 */
public record MonitorEvent(Kind kind, long timeUnixNanos, String syscall, long calls, int exitStatus,
                           long sentryPid, String detail) {

    /** The kinds runsc sends; the agent's {@code EventKind} of the same name. */
    public enum Kind { STARTED, EXITED, SYSCALL_DENIED, UNSUPPORTED_SYSCALL, OOM }

    static MonitorEvent started(long sentryPid) {
        return new MonitorEvent(Kind.STARTED, now(), "", 0, 0, sentryPid, "sentry pid " + sentryPid);
    }

    static MonitorEvent exited(int status) {
        return new MonitorEvent(Kind.EXITED, now(), "", 0, status, 0, "");
    }

    static MonitorEvent syscall(boolean denied, String name, long calls) {
        return new MonitorEvent(denied ? Kind.SYSCALL_DENIED : Kind.UNSUPPORTED_SYSCALL, now(), name, calls, 0, 0,
                calls == 1 ? "1 call" : calls + " calls");
    }

    static MonitorEvent oom(long kills) {
        return new MonitorEvent(Kind.OOM, now(), "", 0, 0, 0,
                "the kernel's OOM killer ended " + kills + (kills == 1 ? " process" : " processes")
                        + " in the sandbox's memory cgroup");
    }

    private static long now() {
        java.time.Instant t = java.time.Instant.now();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }
}
