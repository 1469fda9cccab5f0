package dev.jvisor.abi;

/** The {@code *at(2)} family's flags and special directory descriptor, from {@code <linux/fcntl.h>}. */
public final class AtFlags {
    public static final int AT_FDCWD = -100;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    public static final int AT_REMOVEDIR = 0x200;
    public static final int AT_SYMLINK_FOLLOW = 0x400;
    public static final int AT_EMPTY_PATH = 0x1000;

    private AtFlags() {}
}
