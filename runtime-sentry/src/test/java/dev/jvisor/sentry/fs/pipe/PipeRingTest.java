package dev.jvisor.sentry.fs.pipe;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.ErrnoException;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.vfs.OpenFile;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The pipe's 64 KiB ring: bytes come out in the order they went in, whatever the sizes of the
 * writes and reads and wherever they cross the ring's end (non-blocking ends, so no task waits).
 */
class PipeRingTest {
    @Test
    void bytesKeepTheirOrderAcrossTheRingsEndForRandomWriteAndReadSizes() {
        OpenFile[] ends = Pipe.create(FileMode.O_NONBLOCK);
        OpenFile reader = ends[0], writer = ends[1];
        Random random = new Random(20261129);
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        byte[] chunk = new byte[70_000];
        byte[] into = new byte[70_000];
        long next = 0;
        for (int round = 0; round < 2_000; round++) {
            int size = 1 + random.nextInt(random.nextBoolean() ? 100 : 70_000);
            for (int i = 0; i < size; i++) chunk[i] = (byte) (next + i);
            int n;
            try {
                n = writer.write(null, chunk, 0, size);
            } catch (ErrnoException full) {
                assertThat(full.errno()).isEqualTo(Errno.EAGAIN);
                n = 0;
            }
            written.write(chunk, 0, n);
            next += n;
            int want = 1 + random.nextInt(random.nextBoolean() ? 100 : 70_000);
            try {
                int got = reader.read(null, into, 0, want);
                read.write(into, 0, got);
            } catch (ErrnoException empty) {
                assertThat(empty.errno()).isEqualTo(Errno.EAGAIN);
            }
        }
        while (true) {
            try {
                read.write(into, 0, reader.read(null, into, 0, into.length));
            } catch (ErrnoException empty) {
                break;
            }
        }
        assertThat(written.size()).isGreaterThan(10 * 65536);
        assertThat(read.toByteArray()).isEqualTo(written.toByteArray());
    }

    @Test
    void aWriteOfAtMostPipeBufGoesInWholeOrNotAtAll() {
        OpenFile[] ends = Pipe.create(FileMode.O_NONBLOCK);
        byte[] big = new byte[65536 - 100];
        assertThat(ends[1].write(null, big, 0, big.length)).isEqualTo(big.length);
        assertThatThrownBy(() -> ends[1].write(null, new byte[Pipe.PIPE_BUF], 0, Pipe.PIPE_BUF))
                .isInstanceOf(ErrnoException.class);
        assertThat(ends[1].write(null, new byte[Pipe.PIPE_BUF + 1], 0, Pipe.PIPE_BUF + 1)).as("a bigger write fills what it can").isEqualTo(100);
    }
}
