package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.abi.linux.Sysno;

/**
 * inotify(7) is not offered: inotify_init(2)/inotify_init1 fail with ENOSYS after checking
 * their flags, the answer of a kernel built without CONFIG_INOTIFY_USER, which programs meet
 * on real systems and handle by polling (tail -f, file watchers). Since no inotify descriptor
 * can exist, inotify_add_watch(2) and inotify_rm_watch(2) give what Linux gives for a
 * descriptor that is not one: EBADF for a closed fd, EINVAL for any other.
 */
final class SysInotify {
    private SysInotify() {}

    /** IN_NONBLOCK and IN_CLOEXEC share their values with O_NONBLOCK and O_CLOEXEC. */
    private static final int IN_FLAGS = FileMode.O_NONBLOCK | FileMode.O_CLOEXEC;

    static void register(Registrar r) {
        String note = "not offered: init fails with ENOSYS, as on a kernel without inotify; watch calls on any fd are EBADF/EINVAL";
        r.partial(Sysno.INOTIFY_INIT, "", note, (t, a) -> {
            throw Errno.ENOSYS.exception();
        });
        r.partial(Sysno.INOTIFY_INIT1, "x", note, (t, a) -> {
            if ((a.arg(0) & ~IN_FLAGS) != 0) throw Errno.EINVAL.exception();
            throw Errno.ENOSYS.exception();
        });
        r.partial(Sysno.INOTIFY_ADD_WATCH, "fsx", note, (t, a) -> {
            t.fds().get((int) a.arg(0));
            throw Errno.EINVAL.exception();
        });
        r.partial(Sysno.INOTIFY_RM_WATCH, "fd", note, (t, a) -> {
            t.fds().get((int) a.arg(0));
            throw Errno.EINVAL.exception();
        });
    }
}
