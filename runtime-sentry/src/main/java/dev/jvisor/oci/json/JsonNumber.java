package dev.jvisor.oci.json;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.OptionalLong;

/** A JSON number, kept exact (uids, memory limits and pids must not pass through a double). */
public record JsonNumber(BigDecimal value) implements JsonValue {
    public JsonNumber {
        Objects.requireNonNull(value, "value");
    }

    public static JsonNumber of(long value) {
        return new JsonNumber(BigDecimal.valueOf(value));
    }

    /**
     * This number as a long, if it is an integer that fits; empty otherwise. Checks the
     * magnitude before converting, so a hostile {@code 1e999999999} costs nothing.
     */
    public OptionalLong longValueExact() {
        BigDecimal v = value.stripTrailingZeros();
        if (v.scale() > 0 || v.precision() - v.scale() > 19) return OptionalLong.empty();
        try {
            return OptionalLong.of(v.longValueExact());
        } catch (ArithmeticException tooLarge) {
            return OptionalLong.empty();
        }
    }

    @Override
    public String typeName() {
        return "number";
    }
}
