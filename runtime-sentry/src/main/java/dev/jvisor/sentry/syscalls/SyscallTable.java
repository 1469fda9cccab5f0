package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.ErrnoException;
import dev.jvisor.abi.linux.Sysno;
import dev.jvisor.sentry.kernel.SyscallDispatcher;
import dev.jvisor.sentry.kernel.SyscallStats;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.TaskExit;
import dev.jvisor.sentry.platform.Registers;

import java.util.ArrayList;
import java.util.List;

/**
 * The x86-64 syscall table: number → handler, support level and note, declared as data by
 * the family classes. Numbers without a handler answer ENOSYS and are counted.
 */
public final class SyscallTable implements SyscallDispatcher {
    private record Entry(SyscallInfo info, String argFormat, Handler handler) {}

    private static final Entry[] TABLE = new Entry[512];

    static {
        Registrar r = (nr, fmt, support, note, h) -> {
            if (TABLE[nr] != null) throw new IllegalStateException("syscall " + Sysno.name(nr) + " registered twice");
            TABLE[nr] = new Entry(new SyscallInfo(nr, Sysno.name(nr), support, note), fmt, h);
        };
        SysReadWrite.register(r);
        SysFile.register(r);
        SysStat.register(r);
        SysNamespace.register(r);
        SysPoll.register(r);
        SysMm.register(r);
        SysProcess.register(r);
        SysSched.register(r);
        SysSignal.register(r);
        SysTime.register(r);
        SysInfo.register(r);
        SysFutex.register(r);
        SysXattr.register(r);
        SysEpoll.register(r);
        SysSocket.register(r);
        SysTimerFd.register(r);
        SysPosixTimer.register(r);
        SysInotify.register(r);
        SysMemfd.register(r);
        SysFileData.register(r);
        SysDenied.register(r);
    }

    /** Every row of the table, ordered by syscall number, unimplemented ones included. */
    public static List<SyscallInfo> rows() {
        List<SyscallInfo> out = new ArrayList<>();
        int max = Sysno.max();
        for (int nr = 0; nr <= max; nr++) {
            if (TABLE[nr] != null) out.add(TABLE[nr].info());
            else if (!Sysno.name(nr).startsWith("syscall_")) {
                out.add(new SyscallInfo(nr, Sysno.name(nr), SyscallInfo.Support.UNIMPLEMENTED, "returns ENOSYS"));
            }
        }
        return out;
    }

    @Override
    public void dispatch(Task t) {
        Registers r = t.regs();
        long nr = r.origRax();
        Entry e = nr >= 0 && nr < TABLE.length ? TABLE[(int) nr] : null;
        t.kernel().syscallStats().dispatched(nr);
        boolean strace = t.kernel().strace();
        String enter = strace ? Strace.enter(t, nr, e == null ? "" : e.argFormat()) : null;
        long ret;
        long started = SyscallStats.TIMED ? System.nanoTime() : 0;
        if (e == null) {
            t.kernel().countUnimplemented(nr);
            ret = -Errno.ENOSYS.number();
        } else {
            try {
                ret = e.handler().call(t, r);
            } catch (ErrnoException ex) {
                ret = -ex.errno().number();
            } catch (TaskExit ex) {
                if (strace) Strace.exit(t, enter, nr, 0, e.argFormat(), true);
                throw ex;
            } catch (RuntimeException ex) {
                // A bug in a handler must not take the sandbox down: the call fails, the log says why.
                t.kernel().warn(Sysno.name(nr) + " failed in the Sentry: " + ex, ex);
                ret = -Errno.EINVAL.number();
            }
        }
        r.rax(ret);
        if (SyscallStats.TIMED) t.kernel().syscallStats().served(nr, System.nanoTime() - started);
        if (strace) Strace.exit(t, enter, nr, ret, e == null ? "" : e.argFormat(), false);
    }
}
