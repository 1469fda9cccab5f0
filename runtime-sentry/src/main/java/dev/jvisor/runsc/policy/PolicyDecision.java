package dev.jvisor.runsc.policy;

import java.util.List;
import java.util.Optional;

/**
 * The node agent's answer for one pod, in plain Java types so that callers need no gRPC class.
 * Setting values use the SandboxPolicy API's spellings ({@code none}, {@code exclusive},
 * {@code memory}, …); an empty Optional means the agent left the setting to the node.
 *
 * @param overridden the pod's requests the agent refused because they would loosen the policy
 */
public record PolicyDecision(boolean allowed, String reason, String policy, String enforcement,
                             Optional<String> network, Optional<String> fileAccess, Optional<String> rootOverlay,
                             List<String> syscallDeny, List<String> tracePoints, List<String> overridden) {

    public PolicyDecision {
        syscallDeny = List.copyOf(syscallDeny);
        tracePoints = List.copyOf(tracePoints);
        overridden = List.copyOf(overridden);
    }
}
