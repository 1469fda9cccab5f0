package dev.jvisor.sentry.platform.ptrace;

import dev.jvisor.sentry.host.Host;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** The stub image in a sealed-off memfd, created once per Sentry and exec'd for every stub. */
final class StubFile {
    private StubFile() {}

    private static final int MFD_CLOEXEC = 1;
    private static final int F_DUPFD_CLOEXEC = 1030;
    /** Kept above the fds the stub receives (3, 4) so the spawn's dup2 order cannot clobber it. */
    private static final int MIN_FD = 100;

    private static volatile int fd = -1;

    static int fd() {
        int f = fd;
        if (f >= 0) return f;
        synchronized (StubFile.class) {
            if (fd >= 0) return fd;
            int raw = Host.memfdCreate("jvisor-stub", MFD_CLOEXEC);
            byte[] image = StubImage.image();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment buf = arena.allocate(image.length);
                MemorySegment.copy(image, 0, buf, ValueLayout.JAVA_BYTE, 0, image.length);
                long done = 0;
                while (done < image.length) done += Host.write(raw, buf.asSlice(done), image.length - done);
            }
            int high = Host.fcntl(raw, F_DUPFD_CLOEXEC, MIN_FD);
            Host.close(raw);
            fd = high;
            return high;
        }
    }
}
