package dev.jvisor.gofer;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.OpenFlags;

/**
 * Turns a client's Tlopen/Tlcreate flags into the host flags the Gofer opens with. Only regular
 * files and directories are ever opened: a device node in an image must never become a door to
 * host hardware, and a FIFO could park a worker forever. Writes on a read-only mount are
 * refused, and flags that could follow links or change what is opened are dropped.
 */
final class OpenFlagPolicy {
    /** The flags a client may ask for; everything else is dropped. */
    static final int ALLOWED = OpenFlags.O_ACCMODE | OpenFlags.O_TRUNC | OpenFlags.O_APPEND
            | OpenFlags.O_DSYNC | OpenFlags.O_SYNC | OpenFlags.O_DIRECTORY;

    private OpenFlagPolicy() {}

    /** Host flags to reopen the file {@code stat} describes for Tlopen. */
    static int forOpen(int flags, HostStat stat, GoferMount mount) throws ErrnoException {
        int access = checkedAccess(flags, "open");
        boolean writes = access != OpenFlags.O_RDONLY || (flags & (OpenFlags.O_TRUNC | OpenFlags.O_APPEND)) != 0;
        if (stat.isDirectory()) {
            if (writes) {
                throw new ErrnoException(Errno.EISDIR, "open");
            }
            return OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY;
        }
        if (!stat.isRegular()) {
            throw new ErrnoException(stat.isSymlink() ? Errno.ELOOP : Errno.EPERM, "open");
        }
        if ((flags & OpenFlags.O_DIRECTORY) != 0) {
            throw new ErrnoException(Errno.ENOTDIR, "open");
        }
        if (writes) {
            mount.checkWritable("open");
        }
        return (flags & ALLOWED) | OpenFlags.O_NOCTTY | OpenFlags.O_LARGEFILE;
    }

    /** Host flags for Tlcreate: always a new regular file, never through a symlink. */
    static int forCreate(int flags) throws ErrnoException {
        checkedAccess(flags, "create");
        return (flags & ALLOWED & ~OpenFlags.O_DIRECTORY) | OpenFlags.O_CREAT | OpenFlags.O_EXCL
                | OpenFlags.O_NOFOLLOW | OpenFlags.O_CLOEXEC | OpenFlags.O_NOCTTY | OpenFlags.O_LARGEFILE;
    }

    private static int checkedAccess(int flags, String op) throws ErrnoException {
        int access = flags & OpenFlags.O_ACCMODE;
        if (access == OpenFlags.O_ACCMODE) {
            throw new ErrnoException(Errno.EINVAL, op);
        }
        return access;
    }
}
