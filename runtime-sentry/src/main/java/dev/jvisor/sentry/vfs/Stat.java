package dev.jvisor.sentry.vfs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** File attributes, with the x86-64 encodings of struct stat and struct statx. */
public record Stat(long dev, long ino, int mode, int nlink, int uid, int gid, long rdev, long size,
                   int blksize, long blocks, long atimeNs, long mtimeNs, long ctimeNs) {

    /** struct stat, arch/x86/include/uapi/asm/stat.h (144 bytes). */
    public byte[] toStat() {
        ByteBuffer b = ByteBuffer.allocate(144).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(dev).putLong(ino).putLong(nlink).putInt(mode).putInt(uid).putInt(gid).putInt(0);
        b.putLong(rdev).putLong(size).putLong(blksize).putLong(blocks);
        putTime(b, atimeNs);
        putTime(b, mtimeNs);
        putTime(b, ctimeNs);
        return b.array();
    }

    private static void putTime(ByteBuffer b, long ns) {
        b.putLong(Math.floorDiv(ns, 1_000_000_000L)).putLong(Math.floorMod(ns, 1_000_000_000L));
    }

    /** struct statx, include/uapi/linux/stat.h (256 bytes), with STATX_BASIC_STATS. */
    public byte[] toStatx() {
        ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x7ff);              // stx_mask: STATX_BASIC_STATS
        b.putInt(blksize);
        b.putLong(0);                 // stx_attributes
        b.putInt(nlink).putInt(uid).putInt(gid);
        b.putShort((short) mode).putShort((short) 0);
        b.putLong(ino).putLong(size).putLong(blocks).putLong(0); // attributes_mask
        putStatxTime(b, atimeNs);
        putStatxTime(b, 0);           // btime not supported (not in mask)
        putStatxTime(b, ctimeNs);
        putStatxTime(b, mtimeNs);
        b.putInt((int) (rdev >>> 8) & 0xfff).putInt((int) (rdev & 0xff)); // rdev major, minor
        b.putInt((int) (dev >>> 8) & 0xfff).putInt((int) (dev & 0xff));   // dev major, minor
        return b.array();
    }

    private static void putStatxTime(ByteBuffer b, long ns) {
        b.putLong(Math.floorDiv(ns, 1_000_000_000L)).putInt((int) Math.floorMod(ns, 1_000_000_000L)).putInt(0);
    }
}
