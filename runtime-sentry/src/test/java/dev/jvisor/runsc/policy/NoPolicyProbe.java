package dev.jvisor.runsc.policy;

import dev.jvisor.runsc.cli.Invocation;
import dev.jvisor.runsc.cli.LogFormat;
import dev.jvisor.runsc.cli.RunscLog;
import dev.jvisor.runsc.config.RunscConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/** Runs create's policy hook on a node without a policy socket, in a JVM of its own. */
public final class NoPolicyProbe {
    private NoPolicyProbe() {
    }

    public static void main(String[] args) throws Exception {
        Invocation inv = new Invocation(Path.of("/nonexistent"), false, RunscConfig.defaults(),
                new RunscLog(null, LogFormat.TEXT, null, false, System.err, Clock.systemUTC()),
                System.in, System.out, System.err, null);
        RunscConfig out = PodPolicy.enforce(inv, "probe", Map.of(PodIdentity.CONTAINER_TYPE, "sandbox"));
        // boot's event reporter on the same node: disabled, so no thread and no gRPC.
        SandboxEventReporter events = SandboxEventReporter.forSandbox(inv, "probe", Map.of(
                PodIdentity.SANDBOX_NAMESPACE, "ns", PodIdentity.SANDBOX_NAME, "pod", PodIdentity.SANDBOX_UID, "uid"));
        events.started(new dev.jvisor.sentry.monitor.SyscallDenials(), 1);
        events.exited(0);
        events.close();
        System.out.println("probe-done network=" + out.network() + " events=" + events.enabled());
    }
}
