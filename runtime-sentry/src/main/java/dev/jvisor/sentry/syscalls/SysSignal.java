package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.ErrnoException;
import dev.jvisor.abi.linux.Signal;
import dev.jvisor.abi.linux.Sysno;
import dev.jvisor.sentry.kernel.Credentials;
import dev.jvisor.sentry.kernel.Kernel;
import dev.jvisor.sentry.kernel.SigAction;
import dev.jvisor.sentry.kernel.SigInfo;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.ThreadGroup;
import dev.jvisor.sentry.platform.Registers;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Implements rt_sigaction(2), rt_sigprocmask(2), rt_sigreturn(2), rt_sigpending(2),
 * rt_sigsuspend(2), rt_sigtimedwait(2), rt_sigqueueinfo(2), kill(2), tkill(2), tgkill(2),
 * sigaltstack(2), pause(2), alarm(2), setitimer(2), getitimer(2).
 */
final class SysSignal {
    private SysSignal() {}

    static void register(Registrar r) {
        r.full(Sysno.RT_SIGACTION, "dppd", SysSignal::sigaction);
        r.full(Sysno.RT_SIGPROCMASK, "dppd", SysSignal::sigprocmask);
        r.full(Sysno.RT_SIGRETURN, "", (t, a) -> t.sigreturn());
        r.full(Sysno.RT_SIGPENDING, "pd", (t, a) -> {
            if (a.arg(1) != 8) throw Errno.EINVAL.exception();
            t.mm().writeLong(a.arg(0), t.pendingMask() & t.signalMask());
            return 0;
        });
        r.full(Sysno.RT_SIGSUSPEND, "pd", (t, a) -> {
            if (a.arg(1) != 8) throw Errno.EINVAL.exception();
            long mask = t.mm().readLong(a.arg(0));
            long old = t.signalMask();
            t.signalMask(mask);
            t.saveMaskForRestore(old);
            return sleepForSignal(t);
        });
        r.full(Sysno.PAUSE, "", (t, a) -> sleepForSignal(t));
        r.full(Sysno.RT_SIGTIMEDWAIT, "pppd", SysSignal::sigtimedwait);
        r.full(Sysno.RT_SIGQUEUEINFO, "ddp", (t, a) -> {
            int sig = checkSignal((int) a.arg(1));
            SigInfo s = SigInfo.fromBytes(sig, t.mm().read(a.arg(2), 128));
            if ((s.code >= 0 || s.code == Signal.SI_TKILL) && (int) a.arg(0) != t.tgid()) throw Errno.EPERM.exception();
            ThreadGroup g = t.kernel().group((int) a.arg(0));
            if (g == null) throw Errno.ESRCH.exception();
            checkPermission(t, g);
            t.kernel().signalGroup(g, s);
            return 0;
        });
        r.full(Sysno.RT_TGSIGQUEUEINFO, "dddp", (t, a) -> {
            int sig = checkSignal((int) a.arg(2));
            SigInfo s = SigInfo.fromBytes(sig, t.mm().read(a.arg(3), 128));
            if ((s.code >= 0 || s.code == Signal.SI_TKILL) && (int) a.arg(0) != t.tgid()) throw Errno.EPERM.exception();
            Task target = threadOf(t, (int) a.arg(0), (int) a.arg(1));
            t.kernel().signalTask(target, s);
            return 0;
        });
        r.full(Sysno.KILL, "dd", (t, a) -> kill(t, (int) a.arg(0), (int) a.arg(1)));
        r.full(Sysno.TKILL, "dd", (t, a) -> {
            int sig = checkSignal((int) a.arg(1));
            if ((int) a.arg(0) <= 0) throw Errno.EINVAL.exception();
            Task target = t.kernel().task((int) a.arg(0));
            if (target == null) throw Errno.ESRCH.exception();
            return sendToTask(t, target, sig);
        });
        r.full(Sysno.TGKILL, "ddd", (t, a) -> {
            int sig = checkSignal((int) a.arg(2));
            if ((int) a.arg(0) <= 0 || (int) a.arg(1) <= 0) throw Errno.EINVAL.exception();
            return sendToTask(t, threadOf(t, (int) a.arg(0), (int) a.arg(1)), sig);
        });
        r.full(Sysno.SIGALTSTACK, "pp", SysSignal::sigaltstack);
        r.full(Sysno.ALARM, "d", (t, a) -> {
            long[] old = t.group().timers().set(0, (a.arg(0) & 0xffffffffL) * 1_000_000_000L, 0);
            return (old[0] + 500_000_000L) / 1_000_000_000L;
        });
        r.partial(Sysno.SETITIMER, "dpp", "ITIMER_VIRTUAL and ITIMER_PROF are kept but never fire", (t, a) -> {
            int which = (int) a.arg(0);
            if (which < 0 || which > 2) throw Errno.EINVAL.exception();
            long[] next = {0, 0};
            if (a.arg(1) != 0) {
                long isec = t.mm().readLong(a.arg(1)), iusec = t.mm().readLong(a.arg(1) + 8);
                long vsec = t.mm().readLong(a.arg(1) + 16), vusec = t.mm().readLong(a.arg(1) + 24);
                if (iusec < 0 || iusec >= 1_000_000 || vusec < 0 || vusec >= 1_000_000 || isec < 0 || vsec < 0) {
                    throw Errno.EINVAL.exception();
                }
                next = new long[] {vsec * 1_000_000_000L + vusec * 1000, isec * 1_000_000_000L + iusec * 1000};
            }
            long[] old = t.group().timers().set(which, next[0], next[1]);
            if (a.arg(2) != 0) writeItimerval(t, a.arg(2), old);
            return 0;
        });
        r.full(Sysno.GETITIMER, "dp", (t, a) -> {
            int which = (int) a.arg(0);
            if (which < 0 || which > 2) throw Errno.EINVAL.exception();
            writeItimerval(t, a.arg(1), t.group().timers().get(which));
            return 0;
        });
    }

    private static void writeItimerval(Task t, long addr, long[] v) {
        ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(v[1] / 1_000_000_000L).putLong((v[1] % 1_000_000_000L) / 1000);
        b.putLong(v[0] / 1_000_000_000L).putLong((v[0] % 1_000_000_000L) / 1000);
        t.mm().write(addr, b.array(), 0, 32);
    }

    static int checkSignal(int sig) {
        if (sig < 0 || sig > Signal.NSIG) throw Errno.EINVAL.exception();
        return sig;
    }

    private static Task threadOf(Task t, int tgid, int tid) {
        Task target = t.kernel().task(tid);
        if (target == null || target.tgid() != tgid) throw Errno.ESRCH.exception();
        return target;
    }

    private static void checkPermission(Task sender, ThreadGroup g) {
        Credentials c = sender.creds(), tc = g.creds();
        if (c.hasCap(Credentials.CAP_KILL)) return;
        if (c.euid() == tc.uid() || c.euid() == tc.suid() || c.uid() == tc.uid() || c.uid() == tc.suid()) return;
        throw Errno.EPERM.exception();
    }

    private static long sendToTask(Task sender, Task target, int sig) {
        checkPermission(sender, target.group());
        if (sig == 0) return 0;
        SigInfo s = new SigInfo(sig, Signal.SI_TKILL);
        s.pid = sender.tgid();
        s.uid = sender.creds().uid();
        sender.kernel().signalTask(target, s);
        return 0;
    }

    static long kill(Task t, int pid, int sig) {
        checkSignal(sig);
        Kernel k = t.kernel();
        List<ThreadGroup> targets;
        if (pid > 0) {
            ThreadGroup g = k.groupOrZombie(pid);
            if (g == null) throw Errno.ESRCH.exception();
            targets = List.of(g);
        } else if (pid == 0) {
            targets = k.processGroup(t.group().pgid());
        } else if (pid == -1) {
            targets = k.groups().stream().filter(g -> g.tgid() != 1 && g != t.group()
                    && g.state() == ThreadGroup.State.ALIVE).toList();
        } else {
            if (pid == Integer.MIN_VALUE) throw Errno.ESRCH.exception();
            targets = k.processGroup(-pid);
        }
        if (targets.isEmpty()) throw Errno.ESRCH.exception();
        ErrnoException denied = null;
        int sent = 0;
        for (ThreadGroup g : targets) {
            try {
                checkPermission(t, g);
            } catch (ErrnoException e) {
                denied = e;
                continue;
            }
            sent++;
            if (sig != 0) k.signalGroup(g, SigInfo.user(sig, t.tgid(), t.creds().uid()));
        }
        if (sent == 0 && denied != null) throw denied;
        return 0;
    }

    private static long sleepForSignal(Task t) {
        while (true) {
            t.prepareSleep();
            try {
                t.sleep(Long.MAX_VALUE);
            } catch (ErrnoException e) {
                throw Errno.ERESTARTNOHAND.exception();
            }
        }
    }

    private static long sigaction(Task t, Registers a) {
        int sig = (int) a.arg(0);
        if (a.arg(3) != 8) throw Errno.EINVAL.exception();
        if (sig < 1 || sig > Signal.NSIG) throw Errno.EINVAL.exception();
        SigAction old = t.group().handlers().get(sig);
        SigAction next = null;
        if (a.arg(1) != 0) {
            if (sig == Signal.SIGKILL || sig == Signal.SIGSTOP) throw Errno.EINVAL.exception();
            byte[] raw = t.mm().read(a.arg(1), 32);
            ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
            next = new SigAction(b.getLong(0), b.getLong(8), b.getLong(16), b.getLong(24) & ~Signal.UNBLOCKABLE);
        }
        if (a.arg(2) != 0) {
            ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(old.handler()).putLong(old.flags()).putLong(old.restorer()).putLong(old.mask());
            t.mm().write(a.arg(2), b.array(), 0, 32);
        }
        if (next != null) t.group().handlers().set(sig, next);
        return 0;
    }

    private static long sigprocmask(Task t, Registers a) {
        if (a.arg(3) != 8) throw Errno.EINVAL.exception();
        long old = t.signalMask();
        if (a.arg(1) != 0) {
            long set = t.mm().readLong(a.arg(1));
            switch ((int) a.arg(0)) {
                case Signal.SIG_BLOCK -> t.signalMask(old | set);
                case Signal.SIG_UNBLOCK -> t.signalMask(old & ~set);
                case Signal.SIG_SETMASK -> t.signalMask(set);
                default -> throw Errno.EINVAL.exception();
            }
        }
        if (a.arg(2) != 0) t.mm().writeLong(a.arg(2), old);
        return 0;
    }

    private static long sigtimedwait(Task t, Registers a) {
        if (a.arg(3) != 8) throw Errno.EINVAL.exception();
        long set = t.mm().readLong(a.arg(0)) & ~Signal.UNBLOCKABLE;
        long deadline = SysTime.deadlineFromTimespec(t, a.arg(2));
        while (true) {
            t.prepareSleep();
            SigInfo s = t.takeSignal(set);
            if (s != null) {
                if (a.arg(1) != 0) t.mm().write(a.arg(1), s.toBytes(), 0, 128);
                return s.signo;
            }
            if (t.interruptPending()) throw Errno.EINTR.exception();
            if (System.nanoTime() >= deadline) throw Errno.EAGAIN.exception();
            try {
                if (!t.sleep(deadline)) {
                    s = t.takeSignal(set);
                    if (s == null) throw Errno.EAGAIN.exception();
                    if (a.arg(1) != 0) t.mm().write(a.arg(1), s.toBytes(), 0, 128);
                    return s.signo;
                }
            } catch (ErrnoException e) {
                if (e.errno() == Errno.ERESTARTSYS) {
                    s = t.takeSignal(set);
                    if (s != null) {
                        if (a.arg(1) != 0) t.mm().write(a.arg(1), s.toBytes(), 0, 128);
                        return s.signo;
                    }
                    throw Errno.EINTR.exception();
                }
                throw e;
            }
        }
    }

    private static long sigaltstack(Task t, Registers a) {
        long ss = a.arg(0), oss = a.arg(1);
        boolean on = t.onAltStack();
        if (oss != 0) {
            ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            int flags = (t.altStackFlags() & Signal.SS_DISABLE) != 0 ? Signal.SS_DISABLE : (on ? Signal.SS_ONSTACK : 0);
            flags |= t.altStackFlags() & Signal.SS_AUTODISARM;
            b.putLong(t.altStackSp()).putInt(flags).putInt(0).putLong(t.altStackSize());
            t.mm().write(oss, b.array(), 0, 24);
        }
        if (ss != 0) {
            ByteBuffer b = ByteBuffer.wrap(t.mm().read(ss, 24)).order(ByteOrder.LITTLE_ENDIAN);
            long sp = b.getLong(0), size = b.getLong(16);
            int flags = b.getInt(8);
            if (on) throw Errno.EPERM.exception();
            int mode = flags & ~Signal.SS_AUTODISARM;
            if (mode != 0 && mode != Signal.SS_DISABLE && mode != Signal.SS_ONSTACK) throw Errno.EINVAL.exception();
            if (mode == Signal.SS_DISABLE) {
                t.altStack(0, 0, Signal.SS_DISABLE);
            } else {
                if (size < Signal.MINSIGSTKSZ) throw Errno.ENOMEM.exception();
                t.altStack(sp, size, flags & Signal.SS_AUTODISARM);
            }
        }
        return 0;
    }
}
