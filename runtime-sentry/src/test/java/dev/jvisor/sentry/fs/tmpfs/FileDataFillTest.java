package dev.jvisor.sentry.fs.tmpfs;

import dev.jvisor.abi.linux.ErrnoException;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link FileData#fill}: a file's content taken whole from a source (a lent host descriptor),
 * into heap blocks or shared memory, and all or nothing: a source that stops short or fails
 * leaves the file empty, never a partial copy taken for the file.
 */
class FileDataFillTest {
    private static final byte[] CONTENT = new byte[(1 << 20) + 4099];

    static {
        new Random(9).nextBytes(CONTENT);
    }

    /** Reads from {@link #CONTENT}, failing (-1) or stopping short from {@code failAt} on. */
    private static FileData.ContentSource source(long failAt, boolean shortRead) {
        return (dst, offset) -> {
            long end = Math.min(CONTENT.length, offset + dst.byteSize());
            if (end > failAt) {
                if (!shortRead) return -1;
                end = Math.max(offset, failAt);
            }
            long n = Math.max(0, end - offset);
            MemorySegment.copy(CONTENT, (int) offset, dst, ValueLayout.JAVA_BYTE, 0, (int) n);
            return n;
        };
    }

    private static byte[] contentOf(FileData d) {
        byte[] got = new byte[(int) d.size()];
        assertThat(d.read(0, got, 0, got.length)).isEqualTo(got.length);
        return got;
    }

    @Test
    void fillsHeapBlocksAndSharedMemoryWithTheWholeContent() {
        FileData heap = new FileData();
        assertThat(heap.fill(CONTENT.length, source(Long.MAX_VALUE, false))).isTrue();
        assertThat(contentOf(heap)).isEqualTo(CONTENT);

        FileData shared = new FileData();
        MemorySegment pages = shared.sharedMemory(CONTENT.length).segment();
        assertThat(shared.fill(CONTENT.length, source(Long.MAX_VALUE, false))).isTrue();
        assertThat(contentOf(shared)).isEqualTo(CONTENT);
        assertThat(pages.asSlice(0, CONTENT.length).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(CONTENT);
    }

    @Test
    void aShortReadOrAFailureLeavesTheFileEmpty() {
        for (boolean shortRead : new boolean[] {true, false}) {
            FileData heap = new FileData();
            assertThat(heap.fill(CONTENT.length, source(200_000, shortRead))).isFalse();
            assertThat(heap.size()).isZero();
            assertThat(heap.allocated()).as("no block kept").isZero();

            FileData shared = new FileData();
            MemorySegment pages = shared.sharedMemory(CONTENT.length).segment();
            assertThat(shared.fill(CONTENT.length, source(200_000, shortRead))).isFalse();
            assertThat(shared.size()).isZero();
            assertThat(pages.asSlice(0, CONTENT.length).toArray(ValueLayout.JAVA_BYTE))
                    .as("pages given back or zeroed").isEqualTo(new byte[CONTENT.length]);
            // A file left empty takes the same content another way afterwards.
            assertThat(shared.write(0, CONTENT, 0, CONTENT.length)).isEqualTo(CONTENT.length);
            assertThat(contentOf(shared)).isEqualTo(CONTENT);
        }
        // A source that has more than it was asked for is read only as far as asked.
        FileData grown = new FileData();
        assertThat(grown.fill(100, source(Long.MAX_VALUE, false))).isTrue();
        assertThat(contentOf(grown)).isEqualTo(java.util.Arrays.copyOf(CONTENT, 100));
    }

    @Test
    void onlyAnEmptyFileIsFilled() {
        FileData d = new FileData();
        d.write(0, new byte[] {1}, 0, 1);
        assertThatThrownBy(() -> d.fill(10, source(Long.MAX_VALUE, false))).isInstanceOf(ErrnoException.class);
        assertThat(new FileData().fill(0, (dst, off) -> -1)).isTrue();
    }
}
