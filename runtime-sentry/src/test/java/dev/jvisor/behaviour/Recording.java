package dev.jvisor.behaviour;

/**
 * Recording mode: with {@code -Djvisor.behaviour.record=true} a native run writes its outcome as
 * the case's expectation instead of checking it. For adding a case or after a deliberate change
 * to a program; the diff of the recorded files is then reviewed like any other change.
 */
final class Recording {
    static final String PROPERTY = "jvisor.behaviour.record";

    private Recording() {
    }

    static boolean enabled() {
        return Boolean.getBoolean(PROPERTY);
    }
}
