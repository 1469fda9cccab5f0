package dev.jvisor.runsc.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvisor.oci.OciConfigReader;
import dev.jvisor.oci.OciSpec;
import dev.jvisor.sentry.ProcessIdentity;
import dev.jvisor.sentry.kernel.Rlimits;
import org.junit.jupiter.api.Test;

/** config.json's process object as the identity the Sentry gives the process. */
class OciProcessIdentityTest {
    private static OciSpec.Process process(String members) throws Exception {
        return OciConfigReader.parse("{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"," + members + "}}").process();
    }

    @Test
    void userGroupsLimitsUmaskAndNoNewPrivileges() throws Exception {
        ProcessIdentity id = OciProcessIdentity.of(process("""
                "user":{"uid":1000,"gid":1001,"additionalGids":[7,5,7],"umask":63},"noNewPrivileges":true,
                "rlimits":[{"type":"RLIMIT_NOFILE","soft":64,"hard":128},{"type":"RLIMIT_CORE","soft":0,"hard":18446744073709551615}]"""));
        assertThat(id.uid()).isEqualTo(1000);
        assertThat(id.gid()).isEqualTo(1001);
        assertThat(id.additionalGids()).as("one membership per group").containsExactly(7, 5);
        assertThat(id.umask()).isEqualTo(077);
        assertThat(id.noNewPrivileges()).isTrue();
        assertThat(id.rlimits()).containsExactly(new ProcessIdentity.Limit(Rlimits.RLIMIT_NOFILE, 64, 128),
                new ProcessIdentity.Limit(Rlimits.RLIMIT_CORE, 0, Rlimits.INFINITY));
        Rlimits applied = Rlimits.defaults();
        id.applyTo(applied);
        assertThat(applied.soft(Rlimits.RLIMIT_NOFILE)).isEqualTo(64);
        assertThat(applied.hard(Rlimits.RLIMIT_NOFILE)).isEqualTo(128);
    }

    @Test
    void absentCapabilitiesAreTheUsersDefaultButAnEmptyObjectIsNone() throws Exception {
        assertThat(OciProcessIdentity.of(process("\"user\":{\"uid\":0,\"gid\":0}")).credentials().capEffective())
                .isEqualTo(dev.jvisor.abi.linux.Capability.CAP_FULL_SET);
        assertThat(OciProcessIdentity.of(process("\"user\":{\"uid\":0,\"gid\":0},\"capabilities\":{}")).credentials().capEffective())
                .isZero();
    }

    @Test
    void theSetsAreMadeConsistentAsARuntimesCallsWouldLeaveThem() throws Exception {
        var caps = OciProcessIdentity.of(process("""
                "user":{"uid":1000,"gid":1000},"capabilities":{"bounding":["CAP_KILL","CAP_CHOWN"],
                "effective":["CAP_KILL","CAP_CHOWN"],"permitted":["CAP_KILL"],"inheritable":[],"ambient":["CAP_KILL"]}""")).capabilities();
        assertThat(caps.effective()).isEqualTo(1L << 5);
        assertThat(caps.ambient()).as("not inheritable, so not ambient").isZero();
    }

    @Test
    void anIdNoProcessCanHaveIsAClearError() {
        assertThatThrownBy(() -> OciProcessIdentity.of(process("\"user\":{\"uid\":4294967295,\"gid\":0}")))
                .isInstanceOf(BundleSandbox.BundleException.class).hasMessageContaining("process.user");
    }
}
