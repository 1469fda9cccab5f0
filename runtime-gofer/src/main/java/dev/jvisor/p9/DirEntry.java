package dev.jvisor.p9;

/**
 * One {@code Rreaddir} entry: qid[13] offset[8] type[1] name[s].
 *
 * @param offset the cookie to pass as the next {@code Treaddir} offset to continue after this entry
 * @param type   the {@code d_type} of {@code getdents64(2)} ({@code DT_*} from {@code <dirent.h>})
 */
public record DirEntry(Qid qid, long offset, int type, String name) {
    /** Encoded size of the fixed part, before the name's 2-byte length and bytes. */
    public static final int FIXED_SIZE = Qid.SIZE + 8 + 1;

    // d_type values, <dirent.h>.
    public static final int DT_UNKNOWN = 0;
    public static final int DT_FIFO = 1;
    public static final int DT_CHR = 2;
    public static final int DT_DIR = 4;
    public static final int DT_BLK = 6;
    public static final int DT_REG = 8;
    public static final int DT_LNK = 10;
    public static final int DT_SOCK = 12;
}
