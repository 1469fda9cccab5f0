package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.abi.linux.Sysno;
import dev.jvisor.sentry.fs.tmpfs.Tmpfs;
import dev.jvisor.sentry.vfs.FileSystem;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.OpenFile;

/**
 * Implements memfd_create(2): an unlinked tmpfs file, so reads, writes, ftruncate and coherent
 * MAP_SHARED mappings behave as for any tmpfs file. /proc/PID/fd shows it as
 * {@code /memfd:NAME (deleted)}, as Linux does.
 */
final class SysMemfd {
    private SysMemfd() {}

    /** include/uapi/linux/memfd.h. */
    private static final int MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2;
    /** NAME_MAX minus the "memfd:" prefix (Linux: MFD_NAME_MAX_LEN). */
    private static final int NAME_MAX = 249;

    /** One filesystem for every memfd; like Linux's internal shmem mount it has no mount point. */
    private static final FileSystem MEMFD_FS = Tmpfs.newFileSystem(false);

    static void register(Registrar r) {
        r.partial(Sysno.MEMFD_CREATE, "sx", "MFD_CLOEXEC and MFD_ALLOW_SEALING; seals are not enforced, huge pages are EINVAL", (t, a) -> {
            int flags = (int) a.arg(1);
            if ((flags & ~(MFD_CLOEXEC | MFD_ALLOW_SEALING)) != 0) throw Errno.EINVAL.exception();
            String name;
            try {
                name = t.mm().readString(a.arg(0), NAME_MAX + 1);
            } catch (dev.jvisor.abi.linux.ErrnoException e) {
                if (e.errno() == Errno.ENAMETOOLONG) throw Errno.EINVAL.exception(); // Linux's answer to a long name
                throw e;
            }
            if (name.length() > NAME_MAX) throw Errno.EINVAL.exception();
            Inode inode = Tmpfs.newInode(MEMFD_FS, FileMode.S_IFREG | 0777, t.creds().fsuid(), t.creds().fsgid(), 0);
            OpenFile f = inode.open(new Location(null, inode), "/memfd:" + name + " (deleted)", FileMode.O_RDWR);
            return t.fds().install(f, 0, (flags & MFD_CLOEXEC) != 0);
        });
    }
}
