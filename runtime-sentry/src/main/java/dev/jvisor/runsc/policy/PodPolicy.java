package dev.jvisor.runsc.policy;

import dev.jvisor.runsc.cli.Invocation;
import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.runsc.config.AnnotationRule;
import dev.jvisor.runsc.config.ConfigException;
import dev.jvisor.runsc.config.ConfigOption;
import dev.jvisor.runsc.config.ConfigSource;
import dev.jvisor.runsc.config.RunscConfig;
import dev.jvisor.runsc.state.ContainerNotFoundException;
import dev.jvisor.runsc.state.InvalidContainerIdException;
import dev.jvisor.runsc.state.StateStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What {@code create} asks before it starts a pod's sandbox. Without a configured
 * {@code policy-socket} it applies the bundle's {@code jvisor.dev/*} annotations to the node's
 * settings under the allowlist of {@link RunscConfig#withAnnotations} (and loads no gRPC class).
 * With one, a pod's sandbox is created only if the node agent allows the pod, and then with the
 * strictest of: the node's settings, the policy's, and the pod's {@code jvisor.dev/*} requests.
 * A request that would loosen the policy is overridden, not refused: the operator writes the
 * policy's values into every pod, and a pod may only add isolation on top.
 */
public final class PodPolicy {

    /** How runsc reaches the agent; replaced in tests that need no real socket. */
    @FunctionalInterface
    public interface Connector {
        PolicyClient connect(Path socket, Duration timeout);
    }

    private PodPolicy() {
    }

    /** The settings to create container {@code id} with, or a RunscException that refuses it. */
    public static RunscConfig enforce(Invocation inv, String id, Map<String, String> annotations)
            throws RunscException {
        return enforce(inv, id, annotations, null);
    }

    /** @param connector how to reach the agent; null: over gRPC, loaded only then (see {@link PolicyJars}) */
    static RunscConfig enforce(Invocation inv, String id, Map<String, String> annotations, Connector connector)
            throws RunscException {
        RunscConfig node = inv.config();
        Optional<Path> socket = node.policySocket();
        if (socket.isEmpty()) return withAnnotations(node, id, annotations);
        // A pod's later containers join the sandbox that was checked when the pod was created.
        if ("container".equals(annotations.get(PodIdentity.CONTAINER_TYPE))) {
            requireSandboxCreatedHere(inv, id, annotations.get(PodIdentity.SANDBOX_ID));
            return node;
        }
        PodIdentity pod = PodIdentity.fromCriAnnotations(annotations).orElseThrow(() -> new RunscException(
                "refusing to create " + id + ": this node admits only Kubernetes pods checked by its node agent, and the "
                        + "bundle names no pod (annotations " + PodIdentity.SANDBOX_NAMESPACE + ", -name, -uid)"));
        Duration timeout = Duration.ofMillis(node.policyTimeoutMillis());
        PolicyDecision decision;
        try (PolicyClient client = connector != null ? connector.connect(socket.get(), timeout)
                : PolicyJars.open(inv.home(), socket.get(), timeout)) {
            decision = client.lookup(pod, id, annotations);
        } catch (PolicyUnavailableException e) {
            if (!node.policyFailOpen()) {
                throw new RunscException("refusing to create pod " + pod + ": the node agent's policy service did not "
                        + "answer: " + e.getMessage() + " (policy-fail-open is false)", e);
            }
            inv.log().warning("creating pod " + pod + " with the node's settings: the node agent's policy service did "
                    + "not answer: " + e.getMessage() + " (policy-fail-open is true)");
            return tighten(node, requests(annotations), ConfigSource.ANNOTATION, pod);
        }
        if (!decision.allowed()) {
            throw new RunscException("pod " + pod + " is not allowed on this node's sandbox runtime: "
                    + decision.reason());
        }
        if (!decision.overridden().isEmpty()) {
            inv.log().warning("pod " + pod + ": policy " + decision.policy() + " overrides its requests "
                    + String.join(", ", decision.overridden()));
        }
        RunscConfig config = tighten(node, policySettings(decision), ConfigSource.POLICY, pod);
        config = tighten(config, requests(annotations), ConfigSource.ANNOTATION, pod);
        if (inv.log().debugEnabled()) inv.log().debug("pod " + pod + " admitted by policy " + decision.policy() + ": network=" + config.text(ConfigOption.NETWORK)
                + " file-access=" + config.text(ConfigOption.FILE_ACCESS) + " overlay=" + config.text(ConfigOption.OVERLAY));
        return config;
    }

    /**
     * A node without an agent still honours a pod's {@code jvisor.dev/*} annotations, under the
     * same allowlist: settings a pod may only tighten, refused when looser than the node's, and
     * node-only settings refused unless they repeat the node's own value.
     */
    private static RunscConfig withAnnotations(RunscConfig node, String id, Map<String, String> annotations)
            throws RunscException {
        try {
            return node.withAnnotations(annotations);
        } catch (ConfigException e) {
            throw new RunscException("refusing to create " + id + ": " + e.getMessage(), e);
        }
    }

    /**
     * A container that joins a sandbox skips the question only if that sandbox was created by this
     * runsc (and so asked): naming a sandbox that does not exist here must not be a way around it.
     */
    private static void requireSandboxCreatedHere(Invocation inv, String id, String sandboxId) throws RunscException {
        if (sandboxId == null || sandboxId.isBlank()) {
            throw new RunscException("refusing to create container " + id + ": it names no sandbox ("
                    + PodIdentity.SANDBOX_ID + ") to join");
        }
        try {
            new StateStore(inv.root()).load(sandboxId);
        } catch (ContainerNotFoundException | InvalidContainerIdException e) {
            throw new RunscException("refusing to create container " + id + ": its sandbox " + sandboxId
                    + " was not created on this node, so the node agent never checked it", e);
        }
    }

    /** The policy's settings as runsc options (values in the API's spellings). */
    static Map<ConfigOption, String> policySettings(PolicyDecision d) {
        Map<ConfigOption, String> out = new java.util.EnumMap<>(ConfigOption.class);
        d.network().ifPresent(v -> out.put(ConfigOption.NETWORK, v));
        d.fileAccess().ifPresent(v -> out.put(ConfigOption.FILE_ACCESS, v));
        d.rootOverlay().ifPresent(v -> out.put(ConfigOption.OVERLAY, overlayFlag(v)));
        return out;
    }

    /** The pod's own tighten-only requests as runsc options. */
    static Map<ConfigOption, String> requests(Map<String, String> annotations) {
        Map<ConfigOption, String> out = new java.util.EnumMap<>(ConfigOption.class);
        Function<ConfigOption, String> annotation = o -> annotations.get(ConfigOption.ANNOTATION_PREFIX + o.key());
        // Every setting a pod may tighten, and no other (see ConfigOption's annotation rules).
        for (ConfigOption o : ConfigOption.values()) {
            if (o.annotationRule() != AnnotationRule.TIGHTEN_ONLY) continue;
            String v = annotation.apply(o);
            if (v != null) out.put(o, o == ConfigOption.OVERLAY ? overlayFlag(v) : v);
        }
        return out;
    }

    /**
     * The policy API says {@code memory}/{@code none}; runsc's overlay option, and so the
     * annotation the operator writes, is a boolean. The API's words are still understood in an
     * annotation, for pods admitted before the two agreed.
     */
    private static String overlayFlag(String value) {
        return switch (value) {
            case "memory" -> "true";
            case "none" -> "false";
            default -> value;
        };
    }

    private static RunscConfig tighten(RunscConfig config, Map<ConfigOption, String> settings, ConfigSource source,
                                       PodIdentity pod) throws RunscException {
        RunscConfig out = config;
        for (Map.Entry<ConfigOption, String> e : settings.entrySet()) {
            try {
                out = out.tightenedTo(e.getKey(), e.getValue(), source);
            } catch (ConfigException ex) {
                throw new RunscException("refusing to create pod " + pod + ": " + ex.getMessage(), ex);
            }
        }
        return out;
    }
}
