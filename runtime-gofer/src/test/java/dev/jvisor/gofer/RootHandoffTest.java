package dev.jvisor.gofer;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The root handoff frame: what the Sentry writes is what the Gofer reads, and nothing else passes. */
class RootHandoffTest {
    @Test
    void roundTrips() {
        for (boolean readOnly : new boolean[] {true, false}) {
            for (String dir : new String[] {"/", "/var/lib/ünïcode root", "/" + "d".repeat(4095)}) {
                RootHandoff.Root r = RootHandoff.decode(RootHandoff.encode(Path.of(dir), readOnly));
                assertThat(r).isEqualTo(new RootHandoff.Root(Path.of(dir), readOnly));
            }
        }
    }

    @Test
    void onlyAnAbsolutePathOfAtMostAPageIsSent() {
        assertThatThrownBy(() -> RootHandoff.encode(Path.of("relative"), false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RootHandoff.encode(Path.of("/" + "d".repeat(4096)), false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void malformedFramesAreRefused() {
        byte[] good = bytes(RootHandoff.encode(Path.of("/root"), true));
        // size, type, tag, read_only, length, UTF-8, absolute: each broken in turn.
        assertRefused(patch(good, 0, (byte) (good.length + 1)));
        assertRefused(patch(good, 4, (byte) 100));
        assertRefused(patch(good, 5, (byte) 0));
        assertRefused(patch(good, 7, (byte) 2));
        assertRefused(patch(good, 8, (byte) 4));
        assertRefused(patch(good, 10, (byte) 0xFF));
        assertRefused(patch(good, 10, (byte) 'r'));
        assertRefused(patch(good, 11, (byte) 0));
        assertRefused(new byte[] {7, 0, 0, 0, (byte) 250, -1, -1});
    }

    private static void assertRefused(byte[] frame) {
        assertThatThrownBy(() -> RootHandoff.decode(ByteBuffer.wrap(frame))).isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] patch(byte[] b, int at, byte value) {
        byte[] copy = b.clone();
        copy[at] = value;
        return copy;
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
