package dev.jvisor.behaviour;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.function.Executable;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * Judges one case in one mode, honouring the known-failures list: a listed case that fails is
 * aborted (reported as skipped, with the reason); a listed case that passes fails, so that the
 * list is trimmed as soon as the bug is fixed. Native runs in recording mode write the outcome
 * as the new expectation instead.
 */
final class CaseCheck {
    private static final CaseCheck DEFAULT = new CaseCheck(KnownFailures.load());

    private final KnownFailures knownFailures;

    CaseCheck(KnownFailures knownFailures) {
        this.knownFailures = knownFailures;
    }

    /** Checks against the checked-in expectation (or records it, natively, in recording mode). */
    static void verify(Mode mode, String caseId, Outcome actual, Map<String, String> variables) {
        if (mode == Mode.NATIVE && Recording.enabled()) {
            Expectation.record(caseId, actual);
            return;
        }
        verify(mode, caseId, actual, Expectation.load(caseId, variables));
    }

    /** Checks against an expectation the test states itself. */
    static void verify(Mode mode, String caseId, Outcome actual, Expectation expected) {
        DEFAULT.judge(mode, caseId, () -> assertMatches(caseId, mode, actual, expected));
    }

    /** Runs arbitrary assertions about a case under the known-failures rules. */
    static void verify(Mode mode, String caseId, Executable assertions) {
        DEFAULT.judge(mode, caseId, assertions);
    }

    void judge(Mode mode, String caseId, Executable assertions) {
        Optional<String> known = knownFailures.reason(mode, caseId);
        try {
            assertions.execute();
        } catch (AssertionError failure) {
            if (known.isPresent()) {
                throw new TestAbortedException("known failure in " + mode.label() + ": " + known.get()
                        + " (" + failure.getMessage() + ")", failure);
            }
            throw failure;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new BehaviourSetupException("checking " + caseId + " failed unexpectedly", t);
        }
        if (known.isPresent() && !KnownFailures.intermittent(known.get())) {
            throw new AssertionFailedError(caseId + " passes in " + mode.label() + " but is listed in "
                    + KnownFailures.RESOURCE + " (\"" + known.get() + "\"): remove it from the list");
        }
    }

    private static void assertMatches(String caseId, Mode mode, Outcome actual, Expectation expected) {
        List<String> differences = differences(expected, actual);
        // One summary line first, then the full comparison of whichever part differs.
        String summary = caseId + " in " + mode.label() + ": " + String.join("; ", differences);
        assertThat(actual.stdout()).as("%s — stdout", summary).isEqualTo(expected.stdout());
        assertThat(actual.stderr()).as("%s — stderr", summary).isEqualTo(expected.stderr());
        assertThat(actual.status()).as("%s — exit status (stderr: %s)", summary, actual.stderr())
                .isEqualTo(expected.status());
    }

    /** Short descriptions of what differs. */
    static List<String> differences(Expectation expected, Outcome actual) {
        List<String> found = new ArrayList<>();
        if (!expected.stdout().equals(actual.stdout())) {
            found.add("stdout differs at line " + firstDifferingLine(expected.stdout(), actual.stdout()));
        }
        if (!expected.stderr().equals(actual.stderr())) {
            found.add("stderr differs at line " + firstDifferingLine(expected.stderr(), actual.stderr()));
        }
        if (expected.status() != actual.status()) {
            found.add("exit status " + actual.status() + " instead of " + expected.status());
        }
        return found;
    }

    private static String firstDifferingLine(String expected, String actual) {
        List<String> e = expected.lines().toList();
        List<String> a = actual.lines().toList();
        for (int i = 0; i < Math.max(e.size(), a.size()); i++) {
            String want = i < e.size() ? e.get(i) : "(end)";
            String got = i < a.size() ? a.get(i) : "(end)";
            if (!want.equals(got)) {
                return (i + 1) + ": expected '" + want + "', got '" + got + "'";
            }
        }
        return "(line endings)";
    }
}
