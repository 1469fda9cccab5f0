package dev.jvisor.nodeagent;

import dev.jvisor.nodeagent.containerd.ContainerdFlavour;
import dev.jvisor.nodeagent.cri.HandlerProbe;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;


/**
 * Everything the agent is told about its node, from flags ({@code --install-dir=/opt/jvisor} or
 * {@code --install-dir /opt/jvisor}) over environment variables ({@code JVISOR_INSTALL_DIR}) over
 * defaults. Host paths are as the host sees them; {@link #hostRoot} is where the host's {@code /}
 * is mounted in the agent.
 */
public record AgentSettings(
        Path hostRoot,
        String installDir,
        Path distribution,
        String version,
        ContainerdFlavour flavour,
        String containerdConfig,
        Optional<List<String>> restartCommand,
        Optional<String> containerdSocket,
        Optional<String> nodeName,
        String handlerName,
        String runtimeRoot,
        String lockFile,
        HandlerProbe.Mode probe,
        List<String> startupTaints,
        Duration readyTimeout,
        Optional<String> podName,
        Optional<String> podNamespace,
        Optional<InetSocketAddress> statusListen,
        Duration reconcileInterval,
        Optional<String> policySocket,
        OptionalInt policySocketGroup) {

    /** Flag name → environment variable; the order is the one {@code --help} prints. */
    static final List<String> FLAGS = List.of("host-root", "install-dir", "distribution", "version", "containerd-flavour",
            "containerd-config", "restart-command", "containerd-socket", "node-name", "handler-name", "runtime-root",
            "lock-file", "probe", "startup-taints", "ready-timeout-seconds", "pod-name", "pod-namespace",
            "status-listen", "reconcile-seconds", "policy-socket", "policy-socket-group");

    /** Environment names that Kubernetes' downward API conventionally fills. */
    private static final Map<String, String> EXTRA_ENV = Map.of("node-name", "NODE_NAME",
            "pod-name", "POD_NAME", "pod-namespace", "POD_NAMESPACE");

    public static String envName(String flag) {
        return "JVISOR_" + flag.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** Parses flags (after the subcommand) over {@code environment}. */
    public static AgentSettings parse(List<String> args, Map<String, String> environment) throws SettingsException {
        Map<String, String> values = new HashMap<>();
        for (String flag : FLAGS) {
            String fromEnv = environment.get(envName(flag));
            if (fromEnv == null && EXTRA_ENV.containsKey(flag)) {
                fromEnv = environment.get(EXTRA_ENV.get(flag));
            }
            if (fromEnv != null && !fromEnv.isEmpty()) {
                values.put(flag, fromEnv);
            }
        }
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                throw new SettingsException(arg, "unexpected argument");
            }
            String name = arg.substring(2);
            String value;
            int equals = name.indexOf('=');
            if (equals >= 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                throw new SettingsException(name, "needs a value");
            }
            if (!FLAGS.contains(name)) {
                throw new SettingsException(name, "unknown flag");
            }
            values.put(name, value);
        }
        return fromValues(values);
    }

    private static AgentSettings fromValues(Map<String, String> v) throws SettingsException {
        Path hostRoot = Path.of(v.getOrDefault("host-root", "/host"));
        Path distribution = Path.of(v.getOrDefault("distribution", "/opt/jvisor-dist"));
        String version = v.containsKey("version") ? v.get("version") : versionFile(distribution);
        ContainerdFlavour flavour;
        HandlerProbe.Mode probe;
        try {
            flavour = ContainerdFlavour.parse(v.getOrDefault("containerd-flavour", "auto"));
            probe = HandlerProbe.Mode.parse(v.getOrDefault("probe", "sandbox"));
        } catch (IllegalArgumentException e) {
            throw new SettingsException("containerd-flavour/probe", e.getMessage());
        }
        long readySeconds = seconds(v, "ready-timeout-seconds", "120", 1);
        String installDir = absolute(v, "install-dir", "/opt/jvisor");
        return new AgentSettings(hostRoot, installDir, distribution, version, flavour,
                absolute(v, "containerd-config", "/etc/containerd/config.toml"),
                Optional.ofNullable(v.get("restart-command")).map(AgentSettings::words),
                Optional.ofNullable(v.get("containerd-socket")),
                Optional.ofNullable(v.get("node-name")),
                v.getOrDefault("handler-name", "jvisor"),
                absolute(v, "runtime-root", "/run/jvisor/runsc"),
                absolute(v, "lock-file", "/run/jvisor/node-agent.lock"),
                probe,
                v.containsKey("startup-taints") ? commaList(v.get("startup-taints")) : List.of(),
                Duration.ofSeconds(readySeconds),
                Optional.ofNullable(v.get("pod-name")),
                Optional.ofNullable(v.get("pod-namespace")),
                listen(v.getOrDefault("status-listen", ":9470")),
                Duration.ofSeconds(seconds(v, "reconcile-seconds", "60", 0)),
                policySocket(v),
                policySocketGroup(v));
    }

    /** The policy service's host socket path, or empty for {@code off}. */
    private static Optional<String> policySocket(Map<String, String> v) throws SettingsException {
        String value = v.getOrDefault("policy-socket", "/run/jvisor/policy.sock");
        if (value.equals("off")) {
            return Optional.empty();
        }
        return Optional.of(absolute(v, "policy-socket", value));
    }

    /** A numeric group id that may connect to the policy socket (mode 0660); unset: root only (0600). */
    private static OptionalInt policySocketGroup(Map<String, String> v) throws SettingsException {
        String value = v.get("policy-socket-group");
        if (value == null) {
            return OptionalInt.empty();
        }
        try {
            int gid = Integer.parseInt(value);
            if (gid < 0) {
                throw new NumberFormatException(value);
            }
            return OptionalInt.of(gid);
        } catch (NumberFormatException e) {
            throw new SettingsException("policy-socket-group", "expected a numeric group id, got " + value);
        }
    }

    private static long seconds(Map<String, String> v, String flag, String fallback, long minimum)
            throws SettingsException {
        try {
            long value = Long.parseLong(v.getOrDefault(flag, fallback));
            if (value < minimum) {
                throw new SettingsException(flag, "must be at least " + minimum);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new SettingsException(flag, "not a number");
        }
    }

    /** {@code host:port}, {@code :port} (all addresses) or {@code off}. */
    private static Optional<InetSocketAddress> listen(String value) throws SettingsException {
        if (value.equals("off")) {
            return Optional.empty();
        }
        int colon = value.lastIndexOf(':');
        try {
            int port = Integer.parseInt(value.substring(colon + 1));
            if (colon < 0 || port < 0 || port > 65535) {
                throw new NumberFormatException(value);
            }
            String host = value.substring(0, colon);
            return Optional.of(host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port));
        } catch (NumberFormatException e) {
            throw new SettingsException("status-listen", "expected host:port, :port or off, got " + value);
        }
    }

    private static String absolute(Map<String, String> v, String flag, String fallback) throws SettingsException {
        String value = v.getOrDefault(flag, fallback);
        if (!value.startsWith("/")) {
            throw new SettingsException(flag, "must be an absolute host path: " + value);
        }
        return value;
    }

    /** The distribution's VERSION file names the version when no flag does. */
    private static String versionFile(Path distribution) throws SettingsException {
        try {
            return Files.readString(distribution.resolve("VERSION"), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new SettingsException("version", "not set and " + distribution.resolve("VERSION") + " unreadable");
        }
    }

    /** A restart command given as one string; words split on whitespace (no shell is involved). */
    private static List<String> words(String command) {
        return Arrays.stream(command.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }

    private static List<String> commaList(String value) {
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

}
