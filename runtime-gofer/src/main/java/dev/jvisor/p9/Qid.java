package dev.jvisor.p9;

/**
 * The server's identity of a file: a type byte, a version and a 64-bit path that is unique per
 * file on the server (the Gofer uses the host device and inode). Encoded as 13 bytes.
 *
 * @param type    bits {@code QT*} below (9P {@code qid.type})
 * @param version changes when the file changes; 0 when the server does not track it
 * @param path    unique file id on this server
 */
public record Qid(int type, int version, long path) {
    /** Encoded size: type[1] version[4] path[8]. */
    public static final int SIZE = 13;

    // qid.type bits, from the 9P2000 specification (and Linux include/net/9p/9p.h, enum p9_qid_t).
    public static final int QTDIR = 0x80;
    public static final int QTAPPEND = 0x40;
    public static final int QTEXCL = 0x20;
    public static final int QTMOUNT = 0x10;
    public static final int QTAUTH = 0x08;
    public static final int QTTMP = 0x04;
    public static final int QTSYMLINK = 0x02;
    public static final int QTLINK = 0x01;
    public static final int QTFILE = 0x00;

    public Qid {
        if (!isValidType(type)) {
            throw new IllegalArgumentException("invalid qid type 0x" + Integer.toHexString(type));
        }
    }

    /**
     * Whether {@code type} is a qid type a file can have: one byte, and at most one of the kinds
     * directory, symlink and auth (a file cannot be two of them).
     */
    public static boolean isValidType(int type) {
        if ((type & ~0xFF) != 0) {
            return false;
        }
        int kinds = Integer.bitCount(type & (QTDIR | QTSYMLINK | QTAUTH));
        return kinds <= 1;
    }

    public boolean isDirectory() {
        return (type & QTDIR) != 0;
    }

    public boolean isSymlink() {
        return (type & QTSYMLINK) != 0;
    }
}
