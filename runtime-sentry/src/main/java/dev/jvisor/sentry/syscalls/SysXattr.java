package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.abi.linux.Sysno;
import dev.jvisor.sentry.kernel.Task;

/**
 * Implements the extended-attribute calls (getxattr(2), listxattr(2), setxattr(2),
 * removexattr(2) and their l/f variants) for filesystems that hold no extended attributes:
 * lists are empty, reads find nothing, writes are not supported.
 */
final class SysXattr {
    private SysXattr() {}

    static void register(Registrar r) {
        String note = "no filesystem holds extended attributes yet: get → ENODATA, list → empty, set → ENOTSUP";
        r.partial(Sysno.GETXATTR, "sspd", note, (t, a) -> get(t, path(t, a.arg(0), true), a.arg(1)));
        r.partial(Sysno.LGETXATTR, "sspd", note, (t, a) -> get(t, path(t, a.arg(0), false), a.arg(1)));
        r.partial(Sysno.FGETXATTR, "fspd", note, (t, a) -> get(t, fd(t, a.arg(0)), a.arg(1)));
        r.partial(Sysno.LISTXATTR, "spd", note, (t, a) -> path(t, a.arg(0), true));
        r.partial(Sysno.LLISTXATTR, "spd", note, (t, a) -> path(t, a.arg(0), false));
        r.partial(Sysno.FLISTXATTR, "fpd", note, (t, a) -> fd(t, a.arg(0)));
        r.partial(Sysno.SETXATTR, "sspdx", note, (t, a) -> set(t, path(t, a.arg(0), true), a.arg(1)));
        r.partial(Sysno.LSETXATTR, "sspdx", note, (t, a) -> set(t, path(t, a.arg(0), false), a.arg(1)));
        r.partial(Sysno.FSETXATTR, "fspdx", note, (t, a) -> set(t, fd(t, a.arg(0)), a.arg(1)));
        r.partial(Sysno.REMOVEXATTR, "ss", note, (t, a) -> get(t, path(t, a.arg(0), true), a.arg(1)));
        r.partial(Sysno.LREMOVEXATTR, "ss", note, (t, a) -> get(t, path(t, a.arg(0), false), a.arg(1)));
        r.partial(Sysno.FREMOVEXATTR, "fs", note, (t, a) -> get(t, fd(t, a.arg(0)), a.arg(1)));
    }

    /** Resolves the file (ENOENT and friends first, as Linux checks the path before the name); returns 0. */
    private static long path(Task t, long addr, boolean follow) {
        Paths.resolve(t, FileMode.AT_FDCWD, Paths.read(t, addr, false), follow);
        return 0;
    }

    private static long fd(Task t, long fd) {
        t.fds().get((int) fd);
        return 0;
    }

    private static long name(Task t, long addr) {
        String n = t.mm().readString(addr, 255);
        if (n.isEmpty()) throw Errno.ERANGE.exception();
        return 0;
    }

    private static long get(Task t, long checked, long nameAddr) {
        name(t, nameAddr);
        throw Errno.ENODATA.exception();
    }

    private static long set(Task t, long checked, long nameAddr) {
        name(t, nameAddr);
        throw Errno.EOPNOTSUPP.exception();
    }
}
