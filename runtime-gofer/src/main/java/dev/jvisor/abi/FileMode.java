package dev.jvisor.abi;

/** File type and permission bits of {@code st_mode}, from {@code <linux/stat.h>}. */
public final class FileMode {
    public static final int S_IFMT = 0xF000;
    public static final int S_IFSOCK = 0xC000;
    public static final int S_IFLNK = 0xA000;
    public static final int S_IFREG = 0x8000;
    public static final int S_IFBLK = 0x6000;
    public static final int S_IFDIR = 0x4000;
    public static final int S_IFCHR = 0x2000;
    public static final int S_IFIFO = 0x1000;
    /** Permission bits plus set-user-ID, set-group-ID and sticky: {@code 07777}. */
    public static final int PERMISSIONS = 0xFFF;

    private FileMode() {}

    public static int type(int mode) {
        return mode & S_IFMT;
    }

    public static boolean isDirectory(int mode) {
        return type(mode) == S_IFDIR;
    }

    public static boolean isRegular(int mode) {
        return type(mode) == S_IFREG;
    }

    public static boolean isSymlink(int mode) {
        return type(mode) == S_IFLNK;
    }
}
