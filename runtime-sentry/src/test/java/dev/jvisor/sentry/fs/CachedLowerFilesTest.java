package dev.jvisor.sentry.fs;

import dev.jvisor.sentry.SandboxRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lower files the overlay holds in sandbox memory (large ones copied there directly) read,
 * execute and map exactly, take writes as their own copy, and never change the host file.
 */
class CachedLowerFilesTest {

    private static String md5(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }

    @Test
    void largeLowerFilesReadExecuteAndTakeWritesInTheSandboxOnly(@TempDir Path dir) throws Exception {
        Path rootfs = SandboxRunner.busyboxRootfs(dir.resolve("rootfs"));
        byte[] big = new byte[(1 << 20) + 123];
        new Random(7).nextBytes(big);
        Files.createDirectories(rootfs.resolve("data"));
        Files.write(rootfs.resolve("data/big"), big);
        byte[] changed = big.clone();
        changed[5] = changed[6] = changed[7] = 0;
        byte[] grown = java.util.Arrays.copyOf(changed, changed.length + 3_000_000);

        SandboxRunner.Result r = SandboxRunner.run(rootfs, List.of("/bin/sh", "-c", String.join("; ",
                "md5sum /data/big",
                "dd if=/dev/zero of=/data/big bs=1 count=3 seek=5 conv=notrunc 2>/dev/null",
                "md5sum /data/big",
                "head -c 3000000 /dev/zero >> /data/big",
                "wc -c < /data/big",
                "md5sum /data/big",
                "md5sum /bin/busybox")), null);

        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo(md5(big) + "  /data/big\n"
                + md5(changed) + "  /data/big\n"
                + grown.length + "\n"
                + md5(grown) + "  /data/big\n"
                + md5(Files.readAllBytes(Path.of("/bin/busybox"))) + "  /bin/busybox\n");
        assertThat(r.status()).isZero();
        assertThat(Files.readAllBytes(rootfs.resolve("data/big"))).as("the host file").isEqualTo(big);
    }
}
