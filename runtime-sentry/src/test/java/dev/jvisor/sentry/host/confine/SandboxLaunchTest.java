package dev.jvisor.sentry.host.confine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jvisor.oci.Capability;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The launch prefixes' shape: the order of the steps matters as much as their presence. */
class SandboxLaunchTest {
    @BeforeEach
    void asRoot() {
        assumeTrue(SandboxLaunch.runningAsRoot(), "the prefixes are for a root runsc");
    }

    private static String bounding(List<String> prefix) {
        return prefix.stream().filter(a -> a.startsWith("--bounding-set=")).findFirst().orElseThrow();
    }

    @Test
    void theBootPrefixOpensTheHostRootThenUnsharesThenDropsPrivileges() throws Exception {
        List<String> p = SandboxLaunch.bootPrefix(false);
        // fd 3 is opened by the shell in the host's mount namespace, before unshare makes the new one.
        assertThat(p.subList(0, 3)).containsExactly("/bin/sh", "-c", "exec \"$@\" 3</");
        assertThat(p).contains("--mount", "--propagation=private", "--pid", "--fork", "--kill-child", "--mount-proc",
                "--ipc", "--uts", "--net", "--inh-caps=-all", "--no-new-privs");
        assertThat(p.indexOf("/usr/bin/unshare")).isPositive().isLessThan(p.indexOf("/usr/bin/setpriv"));
        assertThat(p.getLast()).isEqualTo("--");
        assertThat(bounding(p)).isEqualTo("--bounding-set=-all,+chown,+dac_override,+dac_read_search,+fowner,+fsetid,+sys_chroot");
    }

    @Test
    void onlyTheHostNetworkKeepsTheHostsNetworkNamespaceAndGainsPortCapabilities() throws Exception {
        List<String> p = SandboxLaunch.bootPrefix(true);
        assertThat(p).doesNotContain("--net").contains("--mount", "--pid");
        assertThat(bounding(p)).contains("+net_bind_service", "+net_raw");
        assertThat(SandboxLaunch.sentryCapabilities(true)).doesNotContain(Capability.CAP_SYS_ADMIN, Capability.CAP_NET_ADMIN, Capability.CAP_SYS_PTRACE);
    }

    @Test
    void aGoferKeepsOnlyItsFileCapabilities() {
        assertThat(SandboxLaunch.goferCapabilities()).isEqualTo(Set.of(Capability.CAP_CHOWN, Capability.CAP_DAC_OVERRIDE,
                Capability.CAP_DAC_READ_SEARCH, Capability.CAP_FOWNER, Capability.CAP_FSETID, Capability.CAP_SYS_CHROOT));
        List<String> p = SandboxLaunch.goferPrefix();
        assertThat(p.getFirst()).isEqualTo("/usr/bin/setpriv");
        assertThat(bounding(p)).doesNotContain("net_").contains("+sys_chroot");
    }
}
