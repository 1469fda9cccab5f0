package dev.jvisor.hostcall;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;

/** The system call entry against the real kernel: results, -errno, all six arguments, libc calls. */
class RawSyscallTest {
    // <asm/unistd_64.h>
    private static final long SYS_CLOSE = 3, SYS_MMAP = 9, SYS_MUNMAP = 11, SYS_GETPID = 39, SYS_OPENAT = 257;
    private static final long AT_FDCWD = -100, PROT_READ = 1, MAP_PRIVATE = 2;
    private static final int EBADF = 9, ENOENT = 2, EINVAL = 22;

    @Test
    void returnsTheKernelsResult() {
        assertThat(RawSyscall.call(SYS_GETPID, 0, 0, 0, 0, 0, 0)).isEqualTo(ProcessHandle.current().pid());
    }

    @Test
    void aFailureIsMinusErrnoAndNothingElse() {
        long r = RawSyscall.call(SYS_CLOSE, -1, 0, 0, 0, 0, 0);
        assertThat(RawSyscall.failed(r)).isTrue();
        assertThat(RawSyscall.errno(r)).isEqualTo(EBADF);

        try (Arena arena = Arena.ofConfined()) {
            long path = arena.allocateFrom("/nonexistent/jvisor-raw-syscall").address();
            long open = RawSyscall.call(SYS_OPENAT, AT_FDCWD, path, 0, 0, 0, 0);
            assertThat(RawSyscall.errno(open)).isEqualTo(ENOENT);
        }
        assertThat(RawSyscall.failed(0)).isFalse();
        assertThat(RawSyscall.failed(-4096)).isFalse();
        assertThat(RawSyscall.failed(Long.MIN_VALUE)).isFalse();
    }

    /** mmap reads its sixth argument (the offset) from r9, which the entry takes from the stack. */
    @Test
    void passesAllSixArguments(@TempDir Path dir) throws IOException {
        byte[] content = new byte[3 * 4096];
        for (int i = 0; i < content.length; i++) content[i] = (byte) (i / 4096 + 1);
        Path file = Files.write(dir.resolve("pages"), content);
        try (Arena arena = Arena.ofConfined()) {
            long fd = RawSyscall.call(SYS_OPENAT, AT_FDCWD, arena.allocateFrom(file.toString()).address(), 0, 0, 0, 0);
            assertThat(fd).isNotNegative();
            try {
                long at = RawSyscall.call(SYS_MMAP, 0, 4096, PROT_READ, MAP_PRIVATE, fd, 2 * 4096);
                assertThat(RawSyscall.failed(at)).as("mmap: %d", at).isFalse();
                byte[] page = MemorySegment.ofAddress(at).reinterpret(4096).toArray(JAVA_BYTE);
                assertThat(page).isEqualTo(Arrays.copyOfRange(content, 2 * 4096, 3 * 4096));
                assertThat(RawSyscall.call(SYS_MUNMAP, at, 4096, 0, 0, 0, 0)).isZero();

                long misaligned = RawSyscall.call(SYS_MMAP, 0, 4096, PROT_READ, MAP_PRIVATE, fd, 100);
                assertThat(RawSyscall.errno(misaligned)).isEqualTo(EINVAL);
            } finally {
                RawSyscall.call(SYS_CLOSE, fd, 0, 0, 0, 0, 0);
            }
        }
    }

    @Test
    void callsLibcFunctions() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocateFrom("eleven char");
            assertThat(RawSyscall.callFunction(RawSyscall.libcFunction("strlen"), s.address(), 0, 0, 0, 0, 0)).isEqualTo(11);
        }
    }

    @Test
    void aMissingLibcFunctionIsAClearError() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RawSyscall.libcFunction("jvisor_no_such_function"))
                .isInstanceOf(UnsatisfiedLinkError.class)
                .hasMessageContaining("jvisor_no_such_function");
    }
}
