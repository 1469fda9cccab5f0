package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.OpenFile;
import dev.jvisor.sentry.vfs.Vfs;

/** Path arguments: reading them from application memory and resolving them relative to a dirfd. */
final class Paths {
    private Paths() {}

    /** Reads a path argument: EFAULT for a bad pointer, ENAMETOOLONG past PATH_MAX. */
    static String read(Task t, long addr) {
        if (addr == 0) throw Errno.EFAULT.exception();
        return t.mm().readString(addr, Vfs.PATH_MAX - 1);
    }

    /** Reads a path that must not be empty (ENOENT) unless {@code allowEmpty}. */
    static String read(Task t, long addr, boolean allowEmpty) {
        String p = read(t, addr);
        if (p.isEmpty() && !allowEmpty) throw Errno.ENOENT.exception();
        return p;
    }

    /** The starting point for a relative path: the cwd for AT_FDCWD, else the directory dirfd refers to. */
    static Location base(Task t, int dirfd, String path) {
        if (!path.isEmpty() && path.charAt(0) == '/') return t.fs().root();
        if (dirfd == FileMode.AT_FDCWD) return t.fs().cwd();
        OpenFile f = t.fds().get(dirfd);
        Location l = f.location();
        if (l == null || l.mount() == null) throw Errno.ENOTDIR.exception();
        if (!path.isEmpty() && !l.inode().isDir()) throw Errno.ENOTDIR.exception();
        return l;
    }

    static Location resolve(Task t, int dirfd, String path, boolean follow) {
        return t.kernel().vfs().resolve(t.fs(), base(t, dirfd, path), path, follow, t.creds());
    }

    /** resolve, or with AT_EMPTY_PATH and an empty path, the file dirfd itself refers to. */
    static Location resolveOrEmpty(Task t, int dirfd, String path, boolean follow, int flags) {
        if (path.isEmpty()) {
            if ((flags & FileMode.AT_EMPTY_PATH) == 0) throw Errno.ENOENT.exception();
            if (dirfd == FileMode.AT_FDCWD) return t.fs().cwd();
            Location l = t.fds().get(dirfd).location();
            if (l == null) throw Errno.EBADF.exception();
            return l;
        }
        return resolve(t, dirfd, path, follow);
    }

    static Vfs.Parent parent(Task t, int dirfd, String path) {
        return t.kernel().vfs().resolveParent(t.fs(), base(t, dirfd, path), path, t.creds());
    }

    /** An absolute path for /proc/PID/fd links: the directory's path plus the name. */
    static String absolute(Task t, Location dir, String name) {
        String d = t.kernel().vfs().pathOf(t.fs(), dir);
        return d.equals("/") ? "/" + name : d + "/" + name;
    }
}
