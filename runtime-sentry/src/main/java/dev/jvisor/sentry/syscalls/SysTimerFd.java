package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.abi.linux.Signal;
import dev.jvisor.abi.linux.Sysno;
import dev.jvisor.sentry.fs.anon.SignalFdFile;
import dev.jvisor.sentry.fs.anon.TimerFdFile;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.platform.Registers;
import dev.jvisor.sentry.vfs.OpenFile;

/** Implements timerfd_create(2), timerfd_settime(2), timerfd_gettime(2) and signalfd(2)/signalfd4. */
final class SysTimerFd {
    private SysTimerFd() {}

    private static final int TFD_TIMER_ABSTIME = 1, TFD_TIMER_CANCEL_ON_SET = 2;

    static void register(Registrar r) {
        r.partial(Sysno.TIMERFD_CREATE, "dx", "CLOCK_REALTIME, CLOCK_MONOTONIC and CLOCK_BOOTTIME; no cancel-on-set", (t, a) -> {
            int clock = (int) a.arg(0), flags = (int) a.arg(1);
            if (clock != SysTime.CLOCK_REALTIME && clock != SysTime.CLOCK_MONOTONIC && clock != SysTime.CLOCK_BOOTTIME
                    && clock != SysTime.CLOCK_REALTIME_ALARM && clock != SysTime.CLOCK_BOOTTIME_ALARM) throw Errno.EINVAL.exception();
            if ((flags & ~(FileMode.O_CLOEXEC | FileMode.O_NONBLOCK)) != 0) throw Errno.EINVAL.exception();
            TimerFdFile f = new TimerFdFile(t.kernel().timerService(), flags);
            f.clock = clock;
            return t.fds().install(f, 0, (flags & FileMode.O_CLOEXEC) != 0);
        });
        r.partial(Sysno.TIMERFD_SETTIME, "fxpp", "CLOCK_REALTIME, CLOCK_MONOTONIC and CLOCK_BOOTTIME; no cancel-on-set", SysTimerFd::settime);
        r.full(Sysno.TIMERFD_GETTIME, "fp", (t, a) -> {
            writeItimerspec(t, a.arg(1), timer(t, a.arg(0)).get());
            return 0;
        });
        r.full(Sysno.SIGNALFD, "fpd", (t, a) -> signalfd(t, (int) a.arg(0), a.arg(1), a.arg(2), 0));
        r.full(Sysno.SIGNALFD4, "fpdx", (t, a) -> signalfd(t, (int) a.arg(0), a.arg(1), a.arg(2), (int) a.arg(3)));
    }

    private static TimerFdFile timer(Task t, long fd) {
        OpenFile f = t.fds().get((int) fd);
        if (!(f instanceof TimerFdFile tf)) throw Errno.EINVAL.exception();
        return tf;
    }

    private static long settime(Task t, Registers a) {
        TimerFdFile tf = timer(t, a.arg(0));
        int flags = (int) a.arg(1);
        if ((flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) != 0) throw Errno.EINVAL.exception();
        long interval = SysTime.readTimespec(t, a.arg(2));
        long value = SysTime.readTimespec(t, a.arg(2) + 16);
        if ((flags & TFD_TIMER_ABSTIME) != 0 && value != 0) {
            value = Math.max(1, value - SysTime.now(t, tf.clock));
        }
        long[] old = tf.set(value, interval);
        if (a.arg(3) != 0) writeItimerspec(t, a.arg(3), old);
        return 0;
    }

    private static void writeItimerspec(Task t, long addr, long[] v) {
        SysTime.writeTimespec(t, addr, v[1]);
        SysTime.writeTimespec(t, addr + 16, v[0]);
    }

    private static long signalfd(Task t, int fd, long maskAddr, long size, int flags) {
        if (size != 8) throw Errno.EINVAL.exception();
        if ((flags & ~(FileMode.O_CLOEXEC | FileMode.O_NONBLOCK)) != 0) throw Errno.EINVAL.exception();
        long mask = t.mm().readLong(maskAddr) & ~Signal.UNBLOCKABLE;
        if (fd != -1) {
            OpenFile f = t.fds().get(fd);
            if (!(f instanceof SignalFdFile sf)) throw Errno.EINVAL.exception();
            sf.mask(mask);
            return fd;
        }
        return t.fds().install(new SignalFdFile(mask, flags), 0, (flags & FileMode.O_CLOEXEC) != 0);
    }
}
