package dev.jvisor.kindtests.cri;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class VerboseInfoTest {
    @Test
    void thePidComesFromTheInfoDocument() {
        assertThat(VerboseInfo.pid(Map.of("info", "{\"sandboxID\":\"abc\",\"pid\":4242,\"removing\":false}"))).hasValue(4242);
    }

    @Test
    void noPidWhenTheTaskIsGoneOrTheInfoIsMissing() {
        assertThat(VerboseInfo.pid(Map.of("info", "{\"pid\":0}"))).isEmpty();
        assertThat(VerboseInfo.pid(Map.of("info", "{\"pid\":\"x\"}"))).isEmpty();
        assertThat(VerboseInfo.pid(Map.of("info", "{}"))).isEmpty();
        assertThat(VerboseInfo.pid(Map.of())).isEmpty();
    }

    @Test
    void infoThatIsNotJsonIsATypedError() {
        assertThatThrownBy(() -> VerboseInfo.pid(Map.of("info", "{pid: 1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not JSON");
    }
}
