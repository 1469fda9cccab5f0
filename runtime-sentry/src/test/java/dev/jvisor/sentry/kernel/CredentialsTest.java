package dev.jvisor.sentry.kernel;

import static dev.jvisor.abi.linux.Capability.CAP_CHOWN;
import static dev.jvisor.abi.linux.Capability.CAP_FULL_SET;
import static dev.jvisor.abi.linux.Capability.CAP_KILL;
import static dev.jvisor.abi.linux.Capability.CAP_NET_BIND_SERVICE;
import static dev.jvisor.abi.linux.Capability.CAP_SETUID;
import static dev.jvisor.abi.linux.Capability.CAP_SYS_ADMIN;
import static dev.jvisor.abi.linux.Capability.bit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.abi.linux.Prctl;
import org.junit.jupiter.api.Test;

/** The capability transitions of capabilities(7) that Credentials implements, one rule at a time. */
class CredentialsTest {
    private static final int SUID_ROOT = FileMode.S_ISUID | 0755;

    @Test
    void leavingRootWithoutKeepcapsLosesPermittedEffectiveAndAmbient() {
        Credentials root = Credentials.root().withCaps(CapabilitySets.ROOT.withAmbient(bit(CAP_KILL)));
        Credentials user = root.withUids(1000, 1000, 1000);
        assertThat(user.caps().permitted()).isZero();
        assertThat(user.caps().effective()).isZero();
        assertThat(user.caps().ambient()).isZero();
        assertThat(user.caps().bounding()).isEqualTo(CAP_FULL_SET);
        assertThat(user.hasCap(CAP_SETUID)).isFalse();
    }

    @Test
    void keepcapsKeepsPermittedButNotEffective() {
        Credentials user = Credentials.root().withSecurebits(Prctl.SECBIT_KEEP_CAPS).withUids(1000, 1000, 1000);
        assertThat(user.caps().permitted()).isEqualTo(CAP_FULL_SET);
        assertThat(user.caps().effective()).isZero();
    }

    @Test
    void anEffectiveUidAwayFromRootAndBackClearsAndRestoresEffective() {
        Credentials away = Credentials.root().withUids(0, 1000, 0);
        assertThat(away.caps().effective()).isZero();
        assertThat(away.caps().permitted()).isEqualTo(CAP_FULL_SET);
        assertThat(away.withUids(0, 0, 0).caps().effective()).isEqualTo(CAP_FULL_SET);
    }

    @Test
    void theFilesystemUidTakesOnlyTheFilesystemCapabilitiesWithIt() {
        Credentials fs = Credentials.root().withFsuid(1000);
        assertThat(fs.hasCap(CAP_CHOWN)).isFalse();
        assertThat(fs.hasCap(CAP_KILL)).isTrue();
        assertThat(fs.withFsuid(0).hasCap(CAP_CHOWN)).isTrue();
    }

    @Test
    void noSetuidFixupLeavesTheSetsAlone() {
        Credentials user = Credentials.root().withSecurebits(Prctl.SECBIT_NO_SETUID_FIXUP).withUids(1000, 1000, 1000);
        assertThat(user.caps().effective()).isEqualTo(CAP_FULL_SET);
    }

    @Test
    void rootExecGetsBoundingOrInheritableAsPermittedAndEffective() {
        CapabilitySets reduced = CapabilitySets.configured(bit(CAP_NET_BIND_SERVICE), 0, bit(CAP_KILL), 0, 0);
        Credentials after = Credentials.root().withCaps(reduced).afterExec(0755, 0, 0, false);
        assertThat(after.caps().permitted()).isEqualTo(bit(CAP_NET_BIND_SERVICE) | bit(CAP_KILL));
        assertThat(after.caps().effective()).isEqualTo(after.caps().permitted());
    }

    @Test
    void anotherUsersExecKeepsOnlyItsAmbientSet() {
        long nbs = bit(CAP_NET_BIND_SERVICE);
        CapabilitySets sets = CapabilitySets.configured(CAP_FULL_SET, nbs | bit(CAP_KILL), nbs, nbs | bit(CAP_KILL), nbs);
        Credentials after = Credentials.of(1000, 1000, new int[0]).withCaps(sets).afterExec(0755, 0, 0, false);
        assertThat(after.caps().permitted()).isEqualTo(nbs);
        assertThat(after.caps().effective()).isEqualTo(nbs);
        assertThat(after.caps().ambient()).isEqualTo(nbs);
        assertThat(after.caps().inheritable()).isEqualTo(nbs);
    }

    @Test
    void aSetUserIdRootProgramElevatesUnlessNoNewPrivsOrNosuid() {
        Credentials user = Credentials.of(1000, 1000, new int[0]);
        Credentials elevated = user.afterExec(SUID_ROOT, 0, 0, false);
        assertThat(elevated.euid()).isZero();
        assertThat(elevated.uid()).isEqualTo(1000);
        assertThat(elevated.hasCap(CAP_SYS_ADMIN)).isTrue();

        Credentials nnp = user.withNoNewPrivs().afterExec(SUID_ROOT, 0, 0, false);
        assertThat(nnp.euid()).isEqualTo(1000);
        assertThat(nnp.caps().permitted()).isZero();
        assertThat(nnp.noNewPrivs()).as("stays set across exec").isTrue();

        assertThat(user.afterExec(SUID_ROOT, 0, 0, true).euid()).as("nosuid mount").isEqualTo(1000);
    }

    @Test
    void aSetIdProgramClearsTheAmbientSetAndExecClearsKeepcaps() {
        long nbs = bit(CAP_NET_BIND_SERVICE);
        Credentials user = Credentials.of(1000, 1000, new int[0]).withCaps(CapabilitySets.configured(CAP_FULL_SET, nbs, nbs, nbs, nbs))
                .withSecurebits(Prctl.SECBIT_KEEP_CAPS);
        Credentials after = user.afterExec(FileMode.S_ISUID | 0755, 2000, 1000, false);
        assertThat(after.euid()).isEqualTo(2000);
        assertThat(after.caps().ambient()).isZero();
        assertThat(after.caps().effective()).isZero();
        assertThat(after.securebits() & Prctl.SECBIT_KEEP_CAPS).isZero();
    }

    @Test
    void accessChecksUseTheRealUidsCapabilities() {
        Credentials setuidRoot = Credentials.of(1000, 1000, new int[0]).afterExec(SUID_ROOT, 0, 0, false);
        assertThat(setuidRoot.forAccessCheck().hasCap(CAP_CHOWN)).isFalse();
        assertThat(setuidRoot.forAccessCheck().fsuid()).isEqualTo(1000);
        assertThat(Credentials.root().forAccessCheck().hasCap(CAP_CHOWN)).isTrue();
    }

    @Test
    void groupsAreKeptSortedAndCannotBeChangedFromOutside() {
        int[] given = {30, 10, -2, 20};
        Credentials c = Credentials.of(1000, 1000, given);
        given[0] = 0;
        c.groups()[0] = 0;
        assertThat(c.groups()).containsExactly(10, 20, 30, -2);
        assertThat(c.inGroup(30)).isTrue();
        assertThat(c.inGroup(0)).isFalse();
    }

    @Test
    void configuredSetsAreMadeConsistent() {
        CapabilitySets s = CapabilitySets.configured(CAP_FULL_SET, bit(CAP_KILL) | bit(CAP_CHOWN), 0, bit(CAP_KILL), bit(CAP_KILL));
        assertThat(s.effective()).as("effective within permitted").isEqualTo(bit(CAP_KILL));
        assertThat(s.ambient()).as("ambient within permitted and inheritable").isZero();
        assertThat(new CapabilitySets(-1, -1, -1, -1, -1).bounding()).isEqualTo(CAP_FULL_SET);
    }
}
