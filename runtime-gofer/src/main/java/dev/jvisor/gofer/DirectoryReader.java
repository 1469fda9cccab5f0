package dev.jvisor.gofer;

import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.FileMode;
import dev.jvisor.p9.DirEntry;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

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
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(BUFFER_SIZE, 8);
            while (out.size() < max) {
                int n = Native.getdents64(fd, buf);
                if (n == 0) {
                    break;
                }
                parse(buf, n, max, out);
            }
        }
        return out;
    }

    /** Parses {@code struct linux_dirent64 {u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[];}}. */
    private void parse(MemorySegment buf, int n, int max, List<DirEntry> out) {
        int pos = 0;
        while (pos < n && out.size() < max) {
            long ino = buf.get(JAVA_LONG, pos);
            long off = buf.get(JAVA_LONG, pos + 8);
            int reclen = buf.get(JAVA_SHORT, pos + 16) & 0xFFFF;
            int type = buf.get(JAVA_BYTE, pos + 18) & 0xFF;
            int nameStart = pos + 19;
            int nameEnd = nameStart;
            while (nameEnd < pos + reclen && buf.get(JAVA_BYTE, nameEnd) != 0) {
                nameEnd++;
            }
            String name = new String(buf.asSlice(nameStart, nameEnd - nameStart).toArray(JAVA_BYTE),
                    StandardCharsets.UTF_8);
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
