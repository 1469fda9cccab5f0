package dev.jvisor.operator;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns the exception that ended start-up into one line. Quarkus wraps whatever a start-up step threw in generic
 * exceptions ("Failed to start quarkus"); the operator's own typed exceptions say which step failed and why, so the
 * outermost of those is preferred; otherwise the first cause under the wrapper and the innermost one.
 */
final class StartupFailures {

    private static final String OWN_PACKAGE = "dev.jvisor.";

    private StartupFailures() {
    }

    static String describe(Throwable failure) {
        List<Throwable> chain = causes(failure);
        for (Throwable cause : chain) {
            if (cause.getClass().getName().startsWith(OWN_PACKAGE)) {
                return oneLine(message(cause));
            }
        }
        // The outermost exception is the application's generic wrapper when there are causes; the first cause
        // says which step failed, the innermost why.
        Throwable step = chain.size() > 1 ? chain.get(1) : chain.getFirst();
        Throwable root = chain.getLast();
        String text = message(step);
        if (root != step && !text.contains(message(root))) {
            text += " (" + root.getClass().getSimpleName() + ": " + message(root) + ")";
        }
        return oneLine(text);
    }

    private static String message(Throwable failure) {
        String message = failure.getMessage();
        return message == null || message.isBlank() ? failure.getClass().getName() : message;
    }

    private static String oneLine(String text) {
        return text.replaceAll("\\s+", " ").strip();
    }

    /** The failure and its causes, outermost first; a cause cycle ends the walk. */
    private static List<Throwable> causes(Throwable failure) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable cause = failure; cause != null && !chain.contains(cause); cause = cause.getCause()) {
            chain.add(cause);
        }
        return chain;
    }
}
