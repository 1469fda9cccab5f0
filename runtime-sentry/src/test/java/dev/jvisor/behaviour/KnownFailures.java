package dev.jvisor.behaviour;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Cases a mode is known not to pass yet, each with the reason, read from
 * {@code behaviour/known-failures.txt}: one case per line, {@code MODE CASE-ID REASON…}, with
 * {@code #} comments, for example
 * <pre>jvisor c/signals sigaltstack is not implemented</pre>
 * A listed case that fails is reported as skipped with its reason; a listed case that passes
 * fails the run, so the list cannot silently outlive the bugs it describes. A reason that starts
 * with {@value #INTERMITTENT} marks a case that fails only sometimes (a race in the runtime):
 * it is skipped when it fails and accepted when it passes.
 */
final class KnownFailures {
    static final String RESOURCE = "/behaviour/known-failures.txt";

    /** Prefix of the reason of a case that fails only sometimes. */
    static final String INTERMITTENT = "intermittent:";

    private final Map<String, String> reasons;

    private KnownFailures(Map<String, String> reasons) {
        this.reasons = Map.copyOf(reasons);
    }

    /** The list on the test class path. */
    static KnownFailures load() {
        try (InputStream in = KnownFailures.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return parse(List.of());
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList());
        } catch (IOException e) {
            throw new BehaviourSetupException("cannot read " + RESOURCE, e);
        }
    }

    static KnownFailures parse(List<String> lines) {
        Map<String, String> reasons = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\\s+", 3);
            if (fields.length < 3) {
                throw new BehaviourSetupException(RESOURCE + " line " + (i + 1)
                        + ": expected 'MODE CASE-ID REASON', got '" + line + "'");
            }
            Mode mode;
            try {
                mode = Mode.valueOf(fields[0].toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new BehaviourSetupException(RESOURCE + " line " + (i + 1) + ": unknown mode '"
                        + fields[0] + "'", e);
            }
            if (!fields[1].contains("/")) {
                throw new BehaviourSetupException(RESOURCE + " line " + (i + 1)
                        + ": case id must be KIND/NAME, got '" + fields[1] + "'");
            }
            if (reasons.putIfAbsent(key(mode, fields[1]), fields[2]) != null) {
                throw new BehaviourSetupException(RESOURCE + " line " + (i + 1) + ": "
                        + fields[0] + " " + fields[1] + " is listed twice");
            }
        }
        return new KnownFailures(reasons);
    }

    /** Why {@code caseId} is expected to fail in {@code mode}, if it is. */
    Optional<String> reason(Mode mode, String caseId) {
        return Optional.ofNullable(reasons.get(key(mode, caseId)));
    }

    /** Whether a listed case fails only sometimes, so passing is no reason to unlist it. */
    static boolean intermittent(String reason) {
        return reason.startsWith(INTERMITTENT);
    }

    private static String key(Mode mode, String caseId) {
        return mode.label() + " " + caseId;
    }
}
