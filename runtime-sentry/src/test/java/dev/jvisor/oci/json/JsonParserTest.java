package dev.jvisor.oci.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonParserTest {

    @Test
    void parsesEveryKindOfValue() throws Exception {
        JsonValue v = JsonParser.parse(" {\"s\":\"a\\u00e9\\n\\\"\",\"n\":-12.5e1,\"t\":true,\"f\":false,\"z\":null,\"a\":[1,[],{}]} ");
        JsonObject o = (JsonObject) v;
        assertThat(o.members().keySet()).containsExactly("s", "n", "t", "f", "z", "a");
        assertThat(((JsonString) o.get("s")).value()).isEqualTo("aé\n\"");
        assertThat(((JsonNumber) o.get("n")).value()).isEqualByComparingTo(new BigDecimal("-125"));
        assertThat(o.get("t")).isEqualTo(JsonBoolean.TRUE);
        assertThat(o.get("z")).isEqualTo(JsonNull.INSTANCE);
        assertThat(((JsonArray) o.get("a")).elements()).hasSize(3);
    }

    @Test
    void writerOutputParsesBackToTheSameTree() throws Exception {
        JsonObject original = JsonObject.builder()
                .put("quote\"and\\slash", "line\nbreak\ttab\u0001ctl\u2028sep")
                .put("big", new JsonNumber(new BigDecimal("18446744073709551615")))
                .put("list", JsonArray.ofStrings(java.util.List.of("x", "")))
                .put("empty", JsonObject.builder().build())
                .build();
        assertThat(JsonParser.parse(JsonWriter.compact(original))).isEqualTo(original);
        assertThat(JsonParser.parse(JsonWriter.pretty(original))).isEqualTo(original);
        assertThat(JsonWriter.compact(original)).doesNotContain("\n").doesNotContain("\u2028");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "   ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{'a':1}", "[1 2]",
        "01", "-", "1.", ".5", "1e", "+1", "NaN", "Infinity", "tru", "nul", "\"abc", "\"\\x\"",
        "\"\\u12G4\"", "\"\\u12\"", "\"tab\there\"", "[] []", "{\"a\":1}x", "// comment\n1", "\uFEFF{}"
    })
    void rejectsMalformedInputWithAnOffset(String text) {
        assertThatThrownBy(() -> JsonParser.parse(text))
                .isInstanceOf(JsonSyntaxException.class)
                .hasMessageContaining("at offset");
    }

    @Test
    void rejectsDuplicateMemberNames() {
        // Go's decoder would take the last "args", ours the first: refuse rather than disagree.
        assertThatThrownBy(() -> JsonParser.parse("{\"args\":[\"true\"],\"args\":[\"sh\"]}"))
                .isInstanceOf(JsonSyntaxException.class)
                .hasMessageContaining("duplicate member name \"args\"");
    }

    @Test
    void deepNestingIsATypedErrorNotAStackOverflow() {
        String deep = "[".repeat(200_000) + "]".repeat(200_000);
        assertThatThrownBy(() -> JsonParser.parse(deep))
                .isInstanceOf(JsonSyntaxException.class)
                .hasMessageContaining("nesting deeper than " + JsonParser.MAX_DEPTH);
        String deepObjects = "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000);
        assertThatThrownBy(() -> JsonParser.parse(deepObjects)).isInstanceOf(JsonSyntaxException.class);
    }

    @Test
    void nestingUpToTheLimitIsAccepted() throws Exception {
        String ok = "[".repeat(JsonParser.MAX_DEPTH) + "]".repeat(JsonParser.MAX_DEPTH);
        assertThat(JsonParser.parse(ok)).isInstanceOf(JsonArray.class);
    }

    @Test
    void hugeExponentsDoNotCostTimeOrMemory() throws Exception {
        JsonNumber n = (JsonNumber) JsonParser.parse("1e999999999");
        assertThat(n.longValueExact()).isEmpty();
        assertThat(((JsonNumber) JsonParser.parse("-9223372036854775808")).longValueExact()).hasValue(Long.MIN_VALUE);
        assertThat(((JsonNumber) JsonParser.parse("9223372036854775808")).longValueExact()).isEmpty();
        assertThat(((JsonNumber) JsonParser.parse("1.5")).longValueExact()).isEmpty();
        assertThat(((JsonNumber) JsonParser.parse("2.0e3")).longValueExact()).hasValue(2000);
        assertThatThrownBy(() -> JsonParser.parse("1e99999999999")).isInstanceOf(JsonSyntaxException.class)
                .hasMessageContaining("out of range");
    }

    @Test
    void controlCharactersInNamesAreNotEchoedRaw() {
        assertThatThrownBy(() -> JsonParser.parse("{\"a\\n\\u001b[31m\":1,\"a\\n\\u001b[31m\":2}"))
                .isInstanceOf(JsonSyntaxException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\u001b"));
    }
}
