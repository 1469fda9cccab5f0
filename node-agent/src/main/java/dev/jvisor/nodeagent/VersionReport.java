package dev.jvisor.nodeagent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code node-agent --version} prints: the agent's own version and that of the runtime distribution it
 * carries (its {@code VERSION} file), so that an image or a node can be identified without running an install.
 * The distribution is looked up where {@code run} would look ({@code --distribution}, {@code JVISOR_DISTRIBUTION},
 * or the image's default); one that is missing is reported as unknown, not as an error.
 */
final class VersionReport {

    static final String DEFAULT_DISTRIBUTION = "/opt/jvisor-dist";
    static final String UNKNOWN = "unknown";

    private VersionReport() {
    }

    /** The report for {@code args} (everything after {@code --version}) and the process environment. */
    static String report(List<String> args, Map<String, String> environment) throws SettingsException {
        return report(agentVersion(), distribution(args, environment));
    }

    static String report(String agentVersion, Path distribution) {
        return "jvisor node-agent " + agentVersion + "\n"
                + "runtime distribution " + distributionVersion(distribution).orElse(UNKNOWN) + " (" + distribution
                + ")";
    }

    /** The version the build wrote into the agent jar's manifest; unknown when run from classes. */
    static String agentVersion() {
        String version = VersionReport.class.getPackage().getImplementationVersion();
        return version == null || version.isBlank() ? UNKNOWN : version;
    }

    static Optional<String> distributionVersion(Path distribution) {
        try {
            String version = Files.readString(distribution.resolve("VERSION"), StandardCharsets.UTF_8).strip();
            return version.isEmpty() || version.contains("\n") ? Optional.empty() : Optional.of(version);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Accepts only {@code --distribution DIR} / {@code --distribution=DIR}: any other word is a mistake. */
    private static Path distribution(List<String> args, Map<String, String> environment) throws SettingsException {
        String value = environment.getOrDefault("JVISOR_DISTRIBUTION", DEFAULT_DISTRIBUTION);
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.startsWith("--distribution=")) {
                value = arg.substring("--distribution=".length());
            } else if (arg.equals("--distribution") && i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                throw new SettingsException("version", "--version takes only --distribution DIR, not " + arg);
            }
        }
        if (value.isBlank()) {
            throw new SettingsException("distribution", "empty");
        }
        return Path.of(value);
    }
}
