package dev.jvisor.p9;

/**
 * The body of {@code Tsetattr}: which attributes to change ({@code valid}) and their new values.
 * A time with {@code ATTR_ATIME} but without {@code ATTR_ATIME_SET} means "now".
 */
public record SetattrRequest(int valid, int mode, int uid, int gid, long size,
                             long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec) {

    /** Encoded size: valid[4] mode[4] uid[4] gid[4] size[8] and four eight-byte time fields. */
    public static final int SIZE = 4 * 4 + 8 + 4 * 8;

    // Tsetattr valid bits, Linux include/net/9p/9p.h (P9_ATTR_*).
    public static final int ATTR_MODE = 0x1;
    public static final int ATTR_UID = 0x2;
    public static final int ATTR_GID = 0x4;
    public static final int ATTR_SIZE = 0x8;
    public static final int ATTR_ATIME = 0x10;
    public static final int ATTR_MTIME = 0x20;
    public static final int ATTR_CTIME = 0x40;
    public static final int ATTR_ATIME_SET = 0x80;
    public static final int ATTR_MTIME_SET = 0x100;

    /** A request that only truncates or extends the file to {@code size}. */
    public static SetattrRequest truncate(long size) {
        return new SetattrRequest(ATTR_SIZE, 0, 0, 0, size, 0, 0, 0, 0);
    }

    /** A request that only changes the permission bits. */
    public static SetattrRequest chmod(int mode) {
        return new SetattrRequest(ATTR_MODE, mode, 0, 0, 0, 0, 0, 0, 0);
    }

    public boolean has(int bit) {
        return (valid & bit) != 0;
    }
}
