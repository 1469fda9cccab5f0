package dev.jvisor.p9;

/** Values of {@code Tlock}/{@code Tgetlock} fields, Linux include/net/9p/9p.h ({@code P9_LOCK_*}). */
public final class LockConstants {
    // Tlock.type / Tgetlock.type
    public static final int TYPE_RDLCK = 0;
    public static final int TYPE_WRLCK = 1;
    public static final int TYPE_UNLCK = 2;

    // Rlock.status
    public static final int LOCK_SUCCESS = 0;
    public static final int LOCK_BLOCKED = 1;
    public static final int LOCK_ERROR = 2;
    public static final int LOCK_GRACE = 3;

    // Tlock.flags
    public static final int FLAGS_BLOCK = 1;
    public static final int FLAGS_RECLAIM = 2;

    private LockConstants() {}
}
