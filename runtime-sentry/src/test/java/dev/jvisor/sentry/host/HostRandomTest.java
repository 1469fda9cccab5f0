package dev.jvisor.sentry.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@link Host#random}: the host kernel's bytes land exactly in the range asked for. */
class HostRandomTest {
    @Test
    void fillsOnlyTheRequestedRange() {
        byte[] b = new byte[4096];
        Arrays.fill(b, (byte) 0x5a);
        Host.random(b, 100, 3000);
        for (int i = 0; i < 100; i++) assertThat(b[i]).isEqualTo((byte) 0x5a);
        for (int i = 3100; i < b.length; i++) assertThat(b[i]).isEqualTo((byte) 0x5a);
        // 3000 random bytes all equal to the filler has probability 256^-3000.
        long changed = 0;
        for (int i = 100; i < 3100; i++) if (b[i] != (byte) 0x5a) changed++;
        assertThat(changed).isGreaterThan(2500);
    }

    @Test
    void twoFillsDiffer() {
        byte[] a = new byte[64];
        byte[] b = new byte[64];
        Host.random(a, 0, a.length);
        Host.random(b, 0, b.length);
        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void moreThanOneGetrandomCallWorth() {
        // getrandom(2) returns at most 32 MiB - 1 per call on /dev/urandom's pool: the loop goes on.
        byte[] big = new byte[(32 << 20) + 17];
        Host.random(big, 0, big.length);
        assertThat(big[big.length - 1] | big[big.length - 2] | big[big.length - 3] | big[big.length - 4]).isNotZero();
    }

    @Test
    void emptyAndOutOfRangeRequests() {
        byte[] b = new byte[8];
        Host.random(b, 8, 0);
        assertThat(b).containsOnly(0);
        assertThatThrownBy(() -> Host.random(b, 4, 5)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Host.random(b, -1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
