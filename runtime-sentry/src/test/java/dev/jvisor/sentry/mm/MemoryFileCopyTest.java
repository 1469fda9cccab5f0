package dev.jvisor.sentry.mm;

import dev.jvisor.sentry.host.Host;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class MemoryFileCopyTest {
    /** A host file holding {@code content}: a memfd, which splices like any regular file. */
    private static int hostFile(byte[] content) {
        int fd = Host.memfdCreate("copy-source", 1 /* MFD_CLOEXEC */);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(content.length);
            MemorySegment.copy(content, 0, buf, ValueLayout.JAVA_BYTE, 0, content.length);
            long done = 0;
            while (done < content.length) done += Host.write(fd, buf.asSlice(done), content.length - done);
        }
        return fd;
    }

    @Test
    void copiesAFileRangeIntoMemoryAtAnOffset() {
        byte[] content = new byte[3 * 1024 * 1024 + 12345];   // several pipe loads and a partial page
        new Random(7).nextBytes(content);
        int src = hostFile(content);
        MemoryFile mf = MemoryFile.get();
        long length = content.length - 100;
        long at = mf.allocate(length);
        try {
            assertThat(mf.copyFrom(src, 100, at, length)).isEqualTo(length);
            byte[] copied = mf.mapping().asSlice(at, length).toArray(ValueLayout.JAVA_BYTE);
            assertThat(copied).isEqualTo(java.util.Arrays.copyOfRange(content, 100, content.length));
        } finally {
            mf.free(at, length);
            Host.close(src);
        }
    }

    @Test
    void stopsAtTheEndOfTheFileAndAtHostErrors() {
        byte[] content = new byte[10_000];
        new Random(8).nextBytes(content);
        int src = hostFile(content);
        MemoryFile mf = MemoryFile.get();
        long at = mf.allocate(1 << 16);
        try {
            assertThat(mf.copyFrom(src, 0, at, 1 << 16)).as("short at end of file").isEqualTo(content.length);
            assertThat(mf.mapping().asSlice(at, content.length).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(content);
            assertThat(mf.copyFrom(src, 20_000, at, 100)).as("past the end").isZero();
        } finally {
            mf.free(at, 1 << 16);
            Host.close(src);
        }
        assertThat(mf.copyFrom(-1, 0, at, 100)).as("a bad descriptor: nothing, no exception").isZero();
    }
}
