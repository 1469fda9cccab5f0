package dev.jvisor.operator.policy;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Evaluates metav1.LabelSelector the way the API server does (k8s.io/apimachinery labels.Selector semantics). */
public final class LabelSelectors {

    private LabelSelectors() {
    }

    /**
     * Whether {@code labels} satisfy {@code selector}. A selector with no terms matches everything; a null selector
     * is the caller's business (its meaning differs between namespace and pod selectors).
     *
     * @throws InvalidLabelSelectorException when a requirement is malformed
     */
    public static boolean matches(LabelSelector selector, Map<String, String> labels) {
        Objects.requireNonNull(selector, "selector");
        Map<String, String> actual = labels == null ? Map.of() : labels;
        if (selector.getMatchLabels() != null) {
            for (Map.Entry<String, String> wanted : selector.getMatchLabels().entrySet()) {
                if (!Objects.equals(actual.get(wanted.getKey()), wanted.getValue())) {
                    return false;
                }
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement requirement : selector.getMatchExpressions()) {
                if (!matches(requirement, actual)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether a selector has no terms at all, i.e. selects everything. */
    public static boolean selectsEverything(LabelSelector selector) {
        return (selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty())
                && (selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty());
    }

    /** Checks a selector's shape without evaluating it; throws with a message naming the bad requirement. */
    public static void validate(LabelSelector selector) {
        if (selector.getMatchExpressions() == null) {
            return;
        }
        for (LabelSelectorRequirement requirement : selector.getMatchExpressions()) {
            matches(requirement, Map.of());
        }
    }

    private static boolean matches(LabelSelectorRequirement requirement, Map<String, String> labels) {
        String key = requirement.getKey();
        if (key == null || key.isEmpty()) {
            throw new InvalidLabelSelectorException("a matchExpressions requirement has no key");
        }
        List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
        String operator = requirement.getOperator();
        if (operator == null) {
            throw new InvalidLabelSelectorException("requirement on " + key + " has no operator");
        }
        return switch (operator) {
            case "In" -> {
                requireValues(key, operator, values);
                yield labels.containsKey(key) && values.contains(labels.get(key));
            }
            case "NotIn" -> {
                requireValues(key, operator, values);
                yield !labels.containsKey(key) || !values.contains(labels.get(key));
            }
            case "Exists" -> {
                requireNoValues(key, operator, values);
                yield labels.containsKey(key);
            }
            case "DoesNotExist" -> {
                requireNoValues(key, operator, values);
                yield !labels.containsKey(key);
            }
            default -> throw new InvalidLabelSelectorException("requirement on " + key + " has operator "
                    + operator + "; it must be In, NotIn, Exists or DoesNotExist");
        };
    }

    private static void requireValues(String key, String operator, List<String> values) {
        if (values.isEmpty()) {
            throw new InvalidLabelSelectorException("requirement " + key + " " + operator + " needs values");
        }
    }

    private static void requireNoValues(String key, String operator, List<String> values) {
        if (!values.isEmpty()) {
            throw new InvalidLabelSelectorException("requirement " + key + " " + operator + " takes no values");
        }
    }
}
