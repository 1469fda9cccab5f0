package dev.jvisor.sentry.host;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The Sentry's own auxiliary vector (/proc/self/auxv), read once: what the host kernel tells a
 * process about the CPU (AT_HWCAP, AT_HWCAP2, AT_MINSIGSTKSZ) and where it put the vDSO
 * (AT_SYSINFO_EHDR). Tags are those of include/uapi/linux/auxvec.h and arch/x86's.
 */
public final class HostAuxv {
    private HostAuxv() {}

    private static final Map<Long, Long> VALUES = read();

    /** The value of {@code tag}, or 0 when the kernel gave none (or auxv could not be read). */
    public static long value(long tag) {
        return VALUES.getOrDefault(tag, 0L);
    }

    private static Map<Long, Long> read() {
        Map<Long, Long> m = new HashMap<>();
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(Path.of("/proc/self/auxv"))).order(ByteOrder.LITTLE_ENDIAN);
            while (b.remaining() >= 16) {
                long k = b.getLong(), v = b.getLong();
                if (k == 0) break; // AT_NULL
                m.put(k, v);
            }
        } catch (IOException e) {
            // none: callers fall back (libc probes the CPU itself, applications get no vDSO)
        }
        return Map.copyOf(m);
    }
}
