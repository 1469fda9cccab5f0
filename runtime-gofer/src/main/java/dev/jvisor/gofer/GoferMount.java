package dev.jvisor.gofer;

import dev.jvisor.abi.AtFlags;
import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.OpenFlags;

/**
 * A served tree once opened: its root descriptor, read-only flag and index, and how to turn a
 * node's O_PATH descriptor into an open one without resolving any path again.
 */
final class GoferMount {
    /**
     * How every walk step resolves: the name must stay beneath the directory, may not be or
     * cross a symlink (the trailing one is returned as itself with O_NOFOLLOW|O_PATH), a magic
     * link, or a mount point.
     */
    static final long RESOLVE = Native.RESOLVE_BENEATH | Native.RESOLVE_NO_MAGICLINKS
            | Native.RESOLVE_NO_SYMLINKS | Native.RESOLVE_NO_XDEV;

    private final MountPoint point;
    private final int index;
    private final HostFd root;
    private final int procSelfFd;
    private final boolean chownCreated;

    /**
     * @param procSelfFd an O_PATH descriptor of {@code /proc/self/fd} opened before confinement,
     *                   or -1 when there is none (files are then reopened through their parent)
     */
    GoferMount(MountPoint point, int index, HostFd root, int procSelfFd) {
        this.point = point;
        this.index = index;
        this.root = root;
        this.procSelfFd = procSelfFd;
        // Only a root Gofer can give files away; an unprivileged one creates them as itself.
        this.chownCreated = Native.geteuid() == 0;
    }

    /**
     * Makes a file the Gofer just created belong to the sandbox user who asked for it: uid from
     * the attach, gid from the request (-1 for either leaves it as created).
     */
    void giveToCreator(int fd, int uid, int gid) throws ErrnoException {
        if (chownCreated && (uid != -1 || gid != -1)) {
            Native.fchown(fd, uid, gid);
        }
    }

    MountPoint point() {
        return point;
    }

    boolean readOnly() {
        return point.readOnly();
    }

    HostFd root() {
        return root;
    }

    /** A qid path unique across the mounts: the mount index in the top byte, the inode below. */
    long qidPath(long ino) {
        return ((long) index << 56) ^ ino;
    }

    void checkWritable(String op) throws ErrnoException {
        if (point.readOnly()) {
            throw new ErrnoException(Errno.EROFS, op);
        }
    }

    /** Whether descriptors can be reopened through /proc/self/fd. */
    boolean canReopen() {
        return procSelfFd >= 0;
    }

    /** Hard-links the inode {@code fd} holds as {@code name} in {@code dirFd}, via /proc/self/fd. */
    void linkThroughProc(int fd, int dirFd, String name) throws ErrnoException {
        Native.linkat(procSelfFd, Integer.toString(fd), dirFd, name, AtFlags.AT_SYMLINK_FOLLOW);
    }

    /**
     * Opens the file {@code node} names with {@code flags}. Through {@code /proc/self/fd/N} the
     * kernel reopens exactly the inode the O_PATH descriptor holds; without /proc a directory
     * reopens itself as "." and a file reopens its name in its parent, checked to be the same
     * inode (ESTALE if it was replaced meanwhile).
     */
    int reopen(GoferNode node, int flags) throws ErrnoException {
        int pathFd = node.pathFd();
        if (procSelfFd >= 0) {
            return Native.openat(procSelfFd, Integer.toString(pathFd), flags | OpenFlags.O_CLOEXEC, 0);
        }
        if (node.stat().isDirectory()) {
            return Native.openat2(pathFd, ".", flags | OpenFlags.O_CLOEXEC | OpenFlags.O_NOFOLLOW, 0, RESOLVE);
        }
        if (node.parentFd() < 0) {
            throw new ErrnoException(Errno.ESTALE, "reopen");
        }
        int fd = Native.openat2(node.parentFd(), node.name(), flags | OpenFlags.O_CLOEXEC | OpenFlags.O_NOFOLLOW,
                0, RESOLVE);
        try {
            if (!Native.fstat(fd).sameFile(node.stat())) {
                throw new ErrnoException(Errno.ESTALE, "reopen");
            }
            return fd;
        } catch (ErrnoException | RuntimeException e) {
            Native.closeQuietly(fd);
            throw e;
        }
    }
}
