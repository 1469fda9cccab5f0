package dev.jvisor.p9;

/**
 * The body of {@code Rstatfs}, the fields of {@code statfs(2)}: type[4] bsize[4] blocks[8]
 * bfree[8] bavail[8] files[8] ffree[8] fsid[8] namelen[4].
 */
public record StatFs(int type, int bsize, long blocks, long bfree, long bavail, long files, long ffree,
                     long fsid, int namelen) {
    public static final int SIZE = 4 + 4 + 6 * 8 + 4;
}
