package dev.jvisor.nodeagent.policy;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * metav1.LabelSelector semantics as the API server applies them: every matchLabels pair and
 * every matchExpressions requirement must hold; no terms select everything. A malformed
 * requirement (no key, an unknown operator, values where none belong or none where some must
 * be) selects nothing, so a broken policy never sandboxes by accident of a guess.
 */
final class LabelSelectorMatch {

    private LabelSelectorMatch() {
    }

    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        Map<String, String> actual = labels == null ? Map.of() : labels;
        if (selector.getMatchLabels() != null) {
            for (Map.Entry<String, String> wanted : selector.getMatchLabels().entrySet()) {
                if (!Objects.equals(actual.get(wanted.getKey()), wanted.getValue())) return false;
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
                if (!holds(r, actual)) return false;
            }
        }
        return true;
    }

    private static boolean holds(LabelSelectorRequirement r, Map<String, String> labels) {
        String key = r.getKey();
        List<String> values = r.getValues() == null ? List.of() : r.getValues();
        if (key == null || key.isEmpty() || r.getOperator() == null) return false;
        return switch (r.getOperator()) {
            case "In" -> !values.isEmpty() && labels.containsKey(key) && values.contains(labels.get(key));
            case "NotIn" -> !values.isEmpty() && (!labels.containsKey(key) || !values.contains(labels.get(key)));
            case "Exists" -> values.isEmpty() && labels.containsKey(key);
            case "DoesNotExist" -> values.isEmpty() && !labels.containsKey(key);
            default -> false;
        };
    }
}
