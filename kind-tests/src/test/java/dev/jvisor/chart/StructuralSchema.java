package dev.jvisor.chart;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a value against a CRD's OpenAPI v3 structural schema the way the API server's schema
 * validation would for the parts this chart uses: types, unknown fields (which the server would
 * prune silently, so a typo in values.yaml would vanish), enums, patterns, lengths, bounds and
 * required fields. CEL rules (x-kubernetes-validations) are left to the operator's own tests.
 */
final class StructuralSchema {

    private StructuralSchema() {
    }

    /** Every violation found, each naming the path; empty when the value conforms. */
    static List<String> violations(Map<String, Object> schema, Object value) {
        List<String> problems = new ArrayList<>();
        check(schema, value, "", problems);
        return problems;
    }

    @SuppressWarnings("unchecked")
    private static void check(Map<String, Object> schema, Object value, String path, List<String> problems) {
        if (Boolean.TRUE.equals(schema.get("x-kubernetes-int-or-string"))) {
            if (!(value instanceof String || value instanceof Integer || value instanceof Long)) {
                problems.add(path + ": must be an integer or a string, not " + value);
            }
            return;
        }
        String type = (String) schema.get("type");
        if (type != null && !hasType(type, value)) {
            problems.add(path + ": must be of type " + type + ", not " + value);
            return;
        }
        if (schema.get("enum") instanceof List<?> allowed && !allowed.contains(value)) {
            problems.add(path + ": " + value + " is not one of " + allowed);
        }
        if (value instanceof String text) {
            if (schema.get("pattern") instanceof String pattern && !Pattern.compile(pattern).matcher(text).find()) {
                problems.add(path + ": " + text + " does not match " + pattern);
            }
            if (schema.get("maxLength") instanceof Number max && text.length() > max.intValue()) {
                problems.add(path + ": longer than " + max);
            }
            if (schema.get("minLength") instanceof Number min && text.length() < min.intValue()) {
                problems.add(path + ": shorter than " + min);
            }
        }
        if (value instanceof Number number) {
            if (schema.get("maximum") instanceof Number max && number.doubleValue() > max.doubleValue()) {
                problems.add(path + ": above " + max);
            }
            if (schema.get("minimum") instanceof Number min && number.doubleValue() < min.doubleValue()) {
                problems.add(path + ": below " + min);
            }
        }
        if (value instanceof Map<?, ?> object) {
            Map<String, Object> properties = (Map<String, Object>) schema.get("properties");
            Object additional = schema.get("additionalProperties");
            if (schema.get("required") instanceof List<?> required) {
                required.stream().filter(r -> !object.containsKey(r))
                        .forEach(r -> problems.add(path + "." + r + ": required"));
            }
            for (var entry : object.entrySet()) {
                String childPath = path + "." + entry.getKey();
                if (properties != null && properties.containsKey(entry.getKey())) {
                    check((Map<String, Object>) properties.get(entry.getKey()), entry.getValue(), childPath,
                            problems);
                } else if (additional instanceof Map<?, ?> additionalSchema) {
                    check((Map<String, Object>) additionalSchema, entry.getValue(), childPath, problems);
                } else if (!Boolean.TRUE.equals(schema.get("x-kubernetes-preserve-unknown-fields"))) {
                    problems.add(childPath + ": unknown field (the API server would drop it)");
                }
            }
        }
        if (value instanceof List<?> items && schema.get("items") instanceof Map<?, ?> itemSchema) {
            for (int i = 0; i < items.size(); i++) {
                check((Map<String, Object>) itemSchema, items.get(i), path + "[" + i + "]", problems);
            }
        }
    }

    private static boolean hasType(String type, Object value) {
        return switch (type) {
            case "object" -> value instanceof Map;
            case "array" -> value instanceof List;
            case "string" -> value instanceof String;
            case "integer" -> value instanceof Integer || value instanceof Long;
            case "number" -> value instanceof Number;
            case "boolean" -> value instanceof Boolean;
            default -> true;
        };
    }
}
