package dev.jvisor.runsc.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.oci.json.JsonParser;
import dev.jvisor.oci.json.JsonWriter;
import dev.jvisor.sentry.ProcessIdentity;
import dev.jvisor.sentry.kernel.CapabilitySets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A process identity crosses the control socket whole, and bad members are refused, never defaulted. */
class IdentityMessageTest {
    private static ProcessIdentity roundTrip(ProcessIdentity id) throws Exception {
        String wire = JsonWriter.compact(IdentityMessage.put(JsonObject.builder(), id).build());
        return IdentityMessage.read((JsonObject) JsonParser.parse(wire));
    }

    private static ProcessIdentity read(String json) throws Exception {
        return IdentityMessage.read((JsonObject) JsonParser.parse(json));
    }

    @Test
    void everyPartSurvivesTheTrip() throws Exception {
        ProcessIdentity id = new ProcessIdentity(-2, 1000, new int[] {5, -3}, new CapabilitySets(1, 3, 2, 7, 1),
                List.of(new ProcessIdentity.Limit(7, 64, 64), new ProcessIdentity.Limit(1, 10, -1)), true, 027);
        ProcessIdentity back = roundTrip(id);
        assertThat(back.uid()).isEqualTo(-2);
        assertThat(back.gid()).isEqualTo(1000);
        assertThat(back.additionalGids()).containsExactly(5, -3);
        assertThat(back.capabilities()).isEqualTo(id.capabilities());
        assertThat(back.rlimits()).isEqualTo(id.rlimits());
        assertThat(back.noNewPrivileges()).isTrue();
        assertThat(back.umask()).isEqualTo(027);
    }

    @Test
    void noCapabilitiesMemberMeansTheUsersDefaultNotAnEmptySet() throws Exception {
        assertThat(roundTrip(ProcessIdentity.of(1000, 1000)).capabilities()).isNull();
        assertThat(read("{\"uid\":1000,\"capabilities\":{}}").capabilities()).isEqualTo(new CapabilitySets(0, 0, 0, 0, 0));
    }

    @Test
    void badMembersAreRefused() {
        for (String bad : new String[] {
                "{\"uid\":-1}", "{\"uid\":4294967295}", "{\"gid\":\"0\"}", "{\"additionalGids\":[4294967295]}",
                "{\"additionalGids\":7}", "{\"capabilities\":{\"effective\":4398046511104}}", "{\"capabilities\":{\"all\":1}}",
                "{\"capabilities\":[]}", "{\"rlimits\":[{\"resource\":16,\"soft\":1,\"hard\":1}]}",
                "{\"rlimits\":[{\"resource\":7,\"soft\":2,\"hard\":1}]}", "{\"rlimits\":[{\"resource\":7,\"soft\":-1,\"hard\":5}]}",
                "{\"rlimits\":[{\"resource\":7,\"soft\":1}]}", "{\"umask\":512}", "{\"noNewPrivileges\":1}"}) {
            assertThatThrownBy(() -> read(bad)).as(bad).isInstanceOfSatisfying(ControlException.class,
                    e -> assertThat(e.code()).isEqualTo(ControlException.Code.BAD_REQUEST));
        }
    }
}
