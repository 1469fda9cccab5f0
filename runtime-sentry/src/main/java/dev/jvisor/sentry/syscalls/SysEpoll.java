package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.abi.linux.Sysno;
import dev.jvisor.sentry.fs.anon.EpollFile;
import dev.jvisor.sentry.fs.anon.EventFdFile;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.platform.Registers;
import dev.jvisor.sentry.vfs.OpenFile;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Implements epoll_create(2)/epoll_create1, epoll_ctl(2), epoll_wait(2)/epoll_pwait/epoll_pwait2, eventfd(2)/eventfd2. */
final class SysEpoll {
    private SysEpoll() {}

    /** struct epoll_event is packed on x86-64: u32 events, u64 data. */
    private static final int EVENT_SIZE = 12;
    private static final int MAX_EVENTS = (Integer.MAX_VALUE / EVENT_SIZE);
    /** TASK_SIZE_MAX of x86-64 with 4-level page tables. */
    private static final long USER_LIMIT = (1L << 47) - 4096;

    static void register(Registrar r) {
        String note = "an edge-triggered entry re-arms on any wake-up of its file (Linux: only of the events watched)";
        r.partial(Sysno.EPOLL_CREATE, "d", note, (t, a) -> {
            if ((int) a.arg(0) <= 0) throw Errno.EINVAL.exception();
            return t.fds().install(new EpollFile(0), 0, false);
        });
        r.partial(Sysno.EPOLL_CREATE1, "x", note, (t, a) -> {
            int flags = (int) a.arg(0);
            if ((flags & ~FileMode.O_CLOEXEC) != 0) throw Errno.EINVAL.exception();
            return t.fds().install(new EpollFile(0), 0, (flags & FileMode.O_CLOEXEC) != 0);
        });
        r.partial(Sysno.EPOLL_CTL, "fdfp", note, SysEpoll::ctl);
        r.partial(Sysno.EPOLL_WAIT, "fpdd", note, (t, a) -> {
            long timeout = (int) a.arg(3);
            return wait(t, (int) a.arg(0), a.arg(1), (int) a.arg(2), deadlineMillis(timeout));
        });
        r.partial(Sysno.EPOLL_PWAIT, "fpddpd", note, (t, a) -> {
            long timeout = (int) a.arg(3);
            return SysPoll.withMask(t, a.arg(4), a.arg(5), () -> wait(t, (int) a.arg(0), a.arg(1), (int) a.arg(2), deadlineMillis(timeout)));
        });
        r.partial(Sysno.EPOLL_PWAIT2, "fpdppd", note, (t, a) -> SysPoll.withMask(t, a.arg(4), a.arg(5),
                () -> wait(t, (int) a.arg(0), a.arg(1), (int) a.arg(2), SysTime.deadlineFromTimespec(t, a.arg(3)))));
        r.full(Sysno.EVENTFD, "d", (t, a) -> t.fds().install(new EventFdFile(a.arg(0) & 0xffffffffL, 0), 0, false));
        r.full(Sysno.EVENTFD2, "dx", (t, a) -> {
            int flags = (int) a.arg(1);
            if ((flags & ~(FileMode.O_CLOEXEC | FileMode.O_NONBLOCK | EventFdFile.EFD_SEMAPHORE)) != 0) throw Errno.EINVAL.exception();
            return t.fds().install(new EventFdFile(a.arg(0) & 0xffffffffL, flags), 0, (flags & FileMode.O_CLOEXEC) != 0);
        });
    }

    private static long deadlineMillis(long timeout) {
        return timeout < 0 ? Long.MAX_VALUE : System.nanoTime() + timeout * 1_000_000L;
    }

    private static EpollFile epoll(Task t, int fd) {
        OpenFile f = t.fds().get(fd);
        if (!(f instanceof EpollFile e)) throw Errno.EINVAL.exception();
        return e;
    }

    private static long ctl(Task t, Registers a) {
        EpollFile ep = epoll(t, (int) a.arg(0));
        int op = (int) a.arg(1), fd = (int) a.arg(2);
        OpenFile target = t.fds().get(fd);
        if (target.inode() != null && (target.inode().isRegular() || target.inode().isDir())) throw Errno.EPERM.exception();
        int events = 0;
        long data = 0;
        if (op != EpollFile.EPOLL_CTL_DEL) {
            ByteBuffer b = ByteBuffer.wrap(t.mm().read(a.arg(3), EVENT_SIZE)).order(ByteOrder.LITTLE_ENDIAN);
            events = b.getInt(0);
            data = b.getLong(4);
        }
        ep.control(op, fd, target, events, data);
        return 0;
    }

    private static long wait(Task t, int epfd, long eventsAddr, int max, long deadline) {
        if (max <= 0 || max > MAX_EVENTS) throw Errno.EINVAL.exception();
        EpollFile ep = epoll(t, epfd);
        // Like Linux's access_ok: the range must be user addresses; whether it is mapped shows
        // only when events are copied out.
        long end = eventsAddr + (long) max * EVENT_SIZE;
        if (end < eventsAddr || end > USER_LIMIT) throw Errno.EFAULT.exception();
        List<OpenFile> watched = List.of(ep);   // waitReady sleeps on what it watches too
        List<long[]>[] found = new List[1];
        SysPoll.waitReady(t, watched, () -> {
            found[0] = ep.ready(max);
            return found[0].size();
        }, deadline);
        List<long[]> ready = found[0] == null ? List.of() : found[0];
        ByteBuffer b = ByteBuffer.allocate(ready.size() * EVENT_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (long[] e : ready) b.putInt((int) e[0]).putLong(e[1]);
        if (!ready.isEmpty()) t.mm().write(eventsAddr, b.array(), 0, b.capacity());
        return ready.size();
    }
}
