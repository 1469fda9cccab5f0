package dev.jvisor.operator.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelSelectorsTest {

    static LabelSelector expression(String key, String operator, String... values) {
        return new LabelSelectorBuilder().addNewMatchExpression().withKey(key).withOperator(operator)
                .withValues(values).endMatchExpression().build();
    }

    @Test
    void emptySelectorMatchesEverything() {
        assertThat(LabelSelectors.matches(new LabelSelector(), Map.of())).isTrue();
        assertThat(LabelSelectors.selectsEverything(new LabelSelector())).isTrue();
    }

    @Test
    void matchLabelsNeedsEveryPair() {
        LabelSelector selector = new LabelSelectorBuilder().addToMatchLabels("a", "1").addToMatchLabels("b", "2")
                .build();
        assertThat(LabelSelectors.matches(selector, Map.of("a", "1", "b", "2", "c", "3"))).isTrue();
        assertThat(LabelSelectors.matches(selector, Map.of("a", "1"))).isFalse();
        assertThat(LabelSelectors.matches(selector, null)).isFalse();
    }

    @Test
    void setBasedOperatorsFollowKubernetesSemantics() {
        assertThat(LabelSelectors.matches(expression("env", "In", "dev", "qa"), Map.of("env", "qa"))).isTrue();
        assertThat(LabelSelectors.matches(expression("env", "In", "dev"), Map.of())).isFalse();
        assertThat(LabelSelectors.matches(expression("env", "NotIn", "prod"), Map.of())).isTrue();
        assertThat(LabelSelectors.matches(expression("env", "NotIn", "prod"), Map.of("env", "prod"))).isFalse();
        assertThat(LabelSelectors.matches(expression("env", "Exists"), Map.of("env", ""))).isTrue();
        assertThat(LabelSelectors.matches(expression("env", "DoesNotExist"), Map.of("env", ""))).isFalse();
    }

    @Test
    void malformedRequirementsAreTypedErrors() {
        assertThatThrownBy(() -> LabelSelectors.validate(expression("env", "In")))
                .isInstanceOf(InvalidLabelSelectorException.class).hasMessageContaining("needs values");
        assertThatThrownBy(() -> LabelSelectors.validate(expression("env", "Exists", "x")))
                .isInstanceOf(InvalidLabelSelectorException.class).hasMessageContaining("takes no values");
        assertThatThrownBy(() -> LabelSelectors.validate(expression("env", "Like", "x")))
                .isInstanceOf(InvalidLabelSelectorException.class).hasMessageContaining("Like");
        assertThatThrownBy(() -> LabelSelectors.validate(expression("", "Exists")))
                .isInstanceOf(InvalidLabelSelectorException.class).hasMessageContaining("no key");
    }
}
