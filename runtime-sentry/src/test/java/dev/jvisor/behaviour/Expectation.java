package dev.jvisor.behaviour;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The checked-in result of a case, as Linux produces it: {@code CASE.out} (stdout),
 * {@code CASE.status} (exit status) and, when the case writes to stderr, {@code CASE.err};
 * without that file stderr must be empty. Files live under {@code behaviour/KIND/}.
 *
 * <p>Values that depend on the run's rootfs are written as {@code ${name}} and filled in from
 * the variables given to {@link #load}.
 */
record Expectation(String stdout, String stderr, int status) {

    /** A case's identity: its kind ({@code c}, {@code sh}, …) and name, as {@code kind/name}. */
    static String caseId(String kind, String name) {
        return kind + "/" + name;
    }

    static Expectation load(String caseId, Map<String, String> variables) {
        Path base = ModulePaths.expectations().resolve(caseId);
        Path out = sibling(base, ".out");
        Path status = sibling(base, ".status");
        Path err = sibling(base, ".err");
        if (!Files.isRegularFile(out) || !Files.isRegularFile(status)) {
            throw new BehaviourSetupException("no expectation for " + caseId + ": need " + out + " and " + status
                    + " (record them natively with -D" + Recording.PROPERTY + "=true)");
        }
        try {
            String statusText = Files.readString(status).strip();
            int code;
            try {
                code = Integer.parseInt(statusText);
            } catch (NumberFormatException e) {
                throw new BehaviourSetupException(status + ": not an exit status: '" + statusText + "'", e);
            }
            return new Expectation(
                    fill(Files.readString(out), variables),
                    Files.isRegularFile(err) ? fill(Files.readString(err), variables) : "",
                    code);
        } catch (IOException e) {
            throw new BehaviourSetupException("cannot read the expectation for " + caseId, e);
        }
    }

    /** Writes a native outcome as the new expectation of a case. */
    static void record(String caseId, Outcome outcome) {
        Path base = ModulePaths.expectations().resolve(caseId);
        try {
            Files.createDirectories(base.getParent());
            Files.writeString(sibling(base, ".out"), outcome.stdout());
            Files.writeString(sibling(base, ".status"), outcome.status() + "\n");
            Path err = sibling(base, ".err");
            if (outcome.stderr().isEmpty()) {
                Files.deleteIfExists(err);
            } else {
                Files.writeString(err, outcome.stderr());
            }
        } catch (IOException e) {
            throw new BehaviourSetupException("cannot record the expectation for " + caseId, e);
        }
    }

    private static Path sibling(Path base, String suffix) {
        return base.resolveSibling(base.getFileName() + suffix);
    }

    private static String fill(String text, Map<String, String> variables) {
        String filled = text;
        for (Map.Entry<String, String> v : variables.entrySet()) {
            filled = filled.replace("${" + v.getKey() + "}", v.getValue());
        }
        return filled;
    }
}
