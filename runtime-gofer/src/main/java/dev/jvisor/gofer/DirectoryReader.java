package dev.jvisor.gofer;

import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.FileMode;
import dev.jvisor.p9.DirEntry;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Reads an open directory with {@code getdents64(2)}. The kernel's {@code d_off} of each entry is
 * the 9P offset cookie, so a Treaddir continuing at any cookie is one lseek away and needs no
 * state beyond the descriptor. "." and ".." are left out: the Sentry makes its own.
 */
final class DirectoryReader {
    private static final int BUFFER_SIZE = 32 * 1024;

    private final GoferNode node;

    DirectoryReader(GoferNode node) {
        this.node = node;
    }

    /** Up to {@code max} entries after cookie {@code offset}. */
    synchronized List<DirEntry> read(int fd, long offset, int max) throws ErrnoException {
        List<DirEntry> out = new ArrayList<>();
        Native.lseek(fd, offset, Native.SEEK_SET);
        byte[] bytes = new byte[BUFFER_SIZE];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(BUFFER_SIZE, 8);
            while (out.size() < max) {
                int n = Native.getdents64(fd, buf);
                if (n == 0) {
                    break;
                }
                // Parsed from a heap copy: one bulk copy costs less than a segment access per
                // byte, which before the JIT compiles it is a chain of method-handle calls (a
                // directory of a thousand entries took the Gofer tens of milliseconds).
                MemorySegment.copy(buf, JAVA_BYTE, 0, bytes, 0, n);
                parse(ByteBuffer.wrap(bytes, 0, n).order(ByteOrder.LITTLE_ENDIAN), max, out);
            }
        }
        return out;
    }

    /** Parses {@code struct linux_dirent64 {u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[];}}. */
    private void parse(ByteBuffer buf, int max, List<DirEntry> out) {
        byte[] bytes = buf.array();
        int n = buf.limit();
        int pos = 0;
        while (pos + 19 <= n && out.size() < max) {
            long ino = buf.getLong(pos);
            long off = buf.getLong(pos + 8);
            int reclen = buf.getShort(pos + 16) & 0xFFFF;
            int type = bytes[pos + 18] & 0xFF;
            if (reclen < 19 || pos + reclen > n) {
                break; // never from the kernel; stop rather than read past the records
            }
            int nameStart = pos + 19;
            int nameEnd = nameStart;
            while (nameEnd < pos + reclen && bytes[nameEnd] != 0) {
                nameEnd++;
            }
            String name = new String(bytes, nameStart, nameEnd - nameStart, StandardCharsets.UTF_8);
            if (!name.equals(".") && !name.equals("..")) {
                out.add(new DirEntry(node.qidOf(modeOf(type), ino), off, type, name));
            }
            pos += reclen;
        }
    }

    /** A mode carrying just the file type, for the entry's qid. */
    private static int modeOf(int dType) {
        return switch (dType) {
            case DirEntry.DT_DIR -> FileMode.S_IFDIR;
            case DirEntry.DT_LNK -> FileMode.S_IFLNK;
            default -> FileMode.S_IFREG;
        };
    }
}
