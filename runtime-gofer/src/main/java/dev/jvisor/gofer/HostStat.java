package dev.jvisor.gofer;

import dev.jvisor.abi.FileMode;

/** The fields of a host {@code struct stat} the Gofer uses. */
record HostStat(long dev, long ino, long nlink, int mode, int uid, int gid, long rdev, long size,
                long blksize, long blocks, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec,
                long ctimeSec, long ctimeNsec) {

    boolean isDirectory() {
        return FileMode.isDirectory(mode);
    }

    boolean isRegular() {
        return FileMode.isRegular(mode);
    }

    boolean isSymlink() {
        return FileMode.isSymlink(mode);
    }

    boolean sameFile(HostStat other) {
        return dev == other.dev && ino == other.ino;
    }
}
