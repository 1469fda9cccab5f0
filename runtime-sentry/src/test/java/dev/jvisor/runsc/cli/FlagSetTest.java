package dev.jvisor.runsc.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FlagSetTest {
    private final FlagSet flags = new FlagSet();
    private final Flag<String> bundle = flags.string("bundle", "DIR", ".", "bundle");
    private final Flag<Boolean> force = flags.bool("force", "force");
    private final Flag<List<String>> env = flags.repeated("env", "K=V", "env");

    @ParameterizedTest
    @ValueSource(strings = {"-bundle=/b", "--bundle=/b", "-bundle /b", "--bundle /b"})
    void acceptsEveryGoSpelling(String spelling) throws Exception {
        List<String> rest = flags.parse(List.of((spelling + " id").split(" ")));
        assertThat(bundle.get()).isEqualTo("/b");
        assertThat(bundle.isSet()).isTrue();
        assertThat(rest).containsExactly("id");
    }

    @Test
    void booleansTakeNoSeparateValue() throws Exception {
        assertThat(flags.parse(List.of("--force", "true"))).containsExactly("true");
        assertThat(force.get()).isTrue();
    }

    @Test
    void booleansCanBeClearedWithEquals() throws Exception {
        flags.parse(List.of("--force", "-force=false"));
        assertThat(force.get()).isFalse();
        assertThat(force.isSet()).isTrue();
    }

    @Test
    void defaultsApplyWhenAbsent() throws Exception {
        assertThat(flags.parse(List.of())).isEmpty();
        assertThat(bundle.get()).isEqualTo(".");
        assertThat(bundle.isSet()).isFalse();
        assertThat(force.get()).isFalse();
        assertThat(env.get()).isEmpty();
    }

    @Test
    void repeatedFlagsKeepOrder() throws Exception {
        flags.parse(List.of("--env", "A=1", "--env=B=2", "-env", "A=3"));
        assertThat(env.get()).containsExactly("A=1", "B=2", "A=3");
    }

    @Test
    void stopsAtTheFirstArgumentOrDoubleDash() throws Exception {
        assertThat(flags.parse(List.of("id", "--force"))).containsExactly("id", "--force");
        assertThat(force.get()).isFalse();
        assertThat(flags.parse(List.of("--force", "--", "--bundle", "x"))).containsExactly("--bundle", "x");
        assertThat(bundle.isSet()).isFalse();
        assertThat(flags.parse(List.of("-", "x"))).containsExactly("-", "x");
    }

    @Test
    void aValueMayLookLikeAFlag() throws Exception {
        flags.parse(List.of("--bundle", "--force"));
        assertThat(bundle.get()).isEqualTo("--force");
        assertThat(force.get()).isFalse();
    }

    @Test
    void errorsAreTypedUsageErrors() {
        assertThatThrownBy(() -> flags.parse(List.of("--nope"))).isInstanceOf(UsageException.class)
                .hasMessage("flag provided but not defined: -nope");
        assertThatThrownBy(() -> flags.parse(List.of("--bundle"))).isInstanceOf(UsageException.class)
                .hasMessage("flag needs an argument: -bundle");
        assertThatThrownBy(() -> flags.parse(List.of("--force=maybe"))).isInstanceOf(UsageException.class)
                .hasMessageContaining("invalid boolean value");
        assertThatThrownBy(() -> flags.parse(List.of("---force"))).isInstanceOf(UsageException.class)
                .hasMessageContaining("bad flag syntax");
        assertThatThrownBy(() -> flags.parse(List.of("--=x"))).isInstanceOf(UsageException.class);
        assertThat(new UsageException("x").exitStatus()).isEqualTo(2);
    }

    @Test
    void helpIsRequestedNotAnError() {
        assertThatThrownBy(() -> flags.parse(List.of("-h"))).isInstanceOf(HelpRequestedException.class);
        assertThatThrownBy(() -> flags.parse(List.of("--help"))).isInstanceOf(HelpRequestedException.class);
    }

    @Test
    void aBooleanThatDefaultsOnIsTurnedOffWithEqualsFalse() throws Exception {
        Flag<Boolean> overlay = flags.bool("overlay", true, "overlay");
        assertThat(overlay.get()).isTrue();
        assertThat(flags.usage()).contains("overlay (default true)");
        flags.parse(List.of("--overlay=false"));
        assertThat(overlay.get()).isFalse();
    }

    @Test
    void anAliasSetsTheSameFlag() throws Exception {
        flags.alias("f", force);
        flags.parse(List.of("-f"));
        assertThat(force.get()).isTrue();
        assertThat(flags.flags()).hasSize(3);
        assertThat(flags.usage()).contains("-f, --force");
    }

    @Test
    void definingAFlagTwiceIsAProgrammingError() {
        assertThatThrownBy(() -> flags.bool("force", "again")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void usageListsEveryFlag() {
        assertThat(flags.usage()).contains("--bundle DIR").contains("(default .)").contains("--force").contains("--env K=V");
    }
}
