package dev.jvisor.sentry.fs.tty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.sentry.SandboxRunner;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox's /dev/pts is a devpts mount of its own (as runc mounts one), /dev/ptmx is the
 * 5:2 character device, and without a terminal /dev/pts is empty and /dev/tty cannot be opened.
 */
class DevptsTest {
    @TempDir Path dir;

    @Test
    void devptsIsMountedOnDevPtsAndHoldsOnlyLiveTerminals() throws Exception {
        Path rootfs = SandboxRunner.busyboxRootfs(dir.resolve("rootfs"));
        var r = SandboxRunner.run(rootfs, List.of("/bin/sh", "-c",
                "grep ' /dev/pts ' /proc/mounts | cut -d' ' -f1-3; stat -f -c %t /dev/pts; stat -c '%F %t:%T' /dev/ptmx; "
                        + "ls /dev/pts | wc -l; cat /dev/tty 2>/dev/null || echo no controlling terminal"), null);
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("devpts /dev/pts devpts\n1cd1\ncharacter special file 5:2\n0\nno controlling terminal\n");
        assertThat(r.status()).isZero();
    }
}
