package dev.jvisor.p9;

/**
 * The body of {@code Rgetattr}: a file's attributes, {@code valid} saying which were filled in.
 * Field order is the wire order. Times are seconds plus nanoseconds.
 */
public record Attr(long valid, Qid qid, int mode, int uid, int gid, long nlink, long rdev, long size,
                   long blksize, long blocks, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec,
                   long ctimeSec, long ctimeNsec, long btimeSec, long btimeNsec, long gen, long dataVersion) {

    /** Encoded size: valid[8] qid[13] mode[4] uid[4] gid[4] and 15 eight-byte fields. */
    public static final int SIZE = 8 + Qid.SIZE + 4 + 4 + 4 + 15 * 8;

    // Tgetattr request_mask / Rgetattr valid bits, Linux include/net/9p/9p.h (P9_STATS_*).
    public static final long GETATTR_MODE = 0x1;
    public static final long GETATTR_NLINK = 0x2;
    public static final long GETATTR_UID = 0x4;
    public static final long GETATTR_GID = 0x8;
    public static final long GETATTR_RDEV = 0x10;
    public static final long GETATTR_ATIME = 0x20;
    public static final long GETATTR_MTIME = 0x40;
    public static final long GETATTR_CTIME = 0x80;
    public static final long GETATTR_INO = 0x100;
    public static final long GETATTR_SIZE = 0x200;
    public static final long GETATTR_BLOCKS = 0x400;
    public static final long GETATTR_BTIME = 0x800;
    public static final long GETATTR_GEN = 0x1000;
    public static final long GETATTR_DATA_VERSION = 0x2000;
    /** What {@code stat(2)} needs (P9_STATS_BASIC). */
    public static final long GETATTR_BASIC = 0x7ff;
    /** Everything (P9_STATS_ALL). */
    public static final long GETATTR_ALL = 0x3fff;
}
