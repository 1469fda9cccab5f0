package dev.jvisor.abi;

/**
 * {@code open(2)} flags for x86-64, from {@code <asm-generic/fcntl.h>} (octal there, hex here).
 * 9P2000.L's Tlopen/Tlcreate flags use the same values.
 */
public final class OpenFlags {
    public static final int O_ACCMODE = 0x3;
    public static final int O_RDONLY = 0x0;
    public static final int O_WRONLY = 0x1;
    public static final int O_RDWR = 0x2;
    public static final int O_CREAT = 0x40;
    public static final int O_EXCL = 0x80;
    public static final int O_NOCTTY = 0x100;
    public static final int O_TRUNC = 0x200;
    public static final int O_APPEND = 0x400;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_DSYNC = 0x1000;
    public static final int O_DIRECT = 0x4000;
    public static final int O_LARGEFILE = 0x8000;
    public static final int O_DIRECTORY = 0x10000;
    public static final int O_NOFOLLOW = 0x20000;
    public static final int O_NOATIME = 0x40000;
    public static final int O_CLOEXEC = 0x80000;
    /** {@code __O_SYNC | O_DSYNC}. */
    public static final int O_SYNC = 0x101000;
    public static final int O_PATH = 0x200000;

    private OpenFlags() {}
}
