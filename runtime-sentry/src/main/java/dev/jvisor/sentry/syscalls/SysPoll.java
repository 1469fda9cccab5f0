package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.ErrnoException;
import dev.jvisor.abi.linux.Sysno;
import dev.jvisor.sentry.fs.host.HostStdioFile;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.WaitQueue;
import dev.jvisor.sentry.platform.Registers;
import dev.jvisor.sentry.vfs.OpenFile;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** Implements poll(2), ppoll(2), select(2) and pselect6(2). */
final class SysPoll {
    private SysPoll() {}

    private static final int POLLIN = 0x1, POLLPRI = 0x2, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20;
    private static final long HOST_POLL_INTERVAL = 20_000_000L;
    private static final int MAX_FDS = 1 << 20;

    static void register(Registrar r) {
        r.full(Sysno.POLL, "pdd", (t, a) -> {
            long timeout = (int) a.arg(2);
            long deadline = timeout < 0 ? Long.MAX_VALUE : System.nanoTime() + timeout * 1_000_000L;
            return poll(t, a.arg(0), a.arg(1), deadline);
        });
        r.full(Sysno.PPOLL, "pdppd", (t, a) -> withMask(t, a.arg(3), a.arg(4),
                () -> poll(t, a.arg(0), a.arg(1), SysTime.deadlineFromTimespec(t, a.arg(2)))));
        r.full(Sysno.SELECT, "dpppp", (t, a) -> {
            long deadline = Long.MAX_VALUE;
            if (a.arg(4) != 0) {
                long sec = t.mm().readLong(a.arg(4)), usec = t.mm().readLong(a.arg(4) + 8);
                if (sec < 0 || usec < 0) throw Errno.EINVAL.exception();
                deadline = System.nanoTime() + Math.min(sec, Long.MAX_VALUE / 2_000_000_000L) * 1_000_000_000L + usec * 1000;
            }
            long n = select(t, (int) a.arg(0), a.arg(1), a.arg(2), a.arg(3), deadline);
            if (a.arg(4) != 0) {
                long left = Math.max(0, deadline - System.nanoTime());
                t.mm().writeLong(a.arg(4), left / 1_000_000_000L);
                t.mm().writeLong(a.arg(4) + 8, (left % 1_000_000_000L) / 1000);
            }
            return n;
        });
        r.full(Sysno.PSELECT6, "dppppp", (t, a) -> {
            long maskPtr = 0, maskSize = 8;
            if (a.arg(5) != 0) {
                maskPtr = t.mm().readLong(a.arg(5));
                maskSize = t.mm().readLong(a.arg(5) + 8);
            }
            long deadline = SysTime.deadlineFromTimespec(t, a.arg(4));
            long mp = maskPtr, ms = maskSize;
            return withMask(t, mp, ms, () -> select(t, (int) a.arg(0), a.arg(1), a.arg(2), a.arg(3), deadline));
        });
    }

    /** Runs {@code body} with a temporary signal mask, as ppoll/pselect6 do; the old mask returns after any handler. */
    static long withMask(Task t, long maskPtr, long size, java.util.function.LongSupplier body) {
        if (maskPtr == 0) return body.getAsLong();
        if (size != 8) throw Errno.EINVAL.exception();
        long old = t.signalMask();
        t.signalMask(t.mm().readLong(maskPtr));
        try {
            long r = body.getAsLong();
            t.signalMask(old);
            return r;
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ERESTARTNOHAND || e.errno() == Errno.EINTR) t.saveMaskForRestore(old);
            else t.signalMask(old);
            throw e;
        }
    }

    /** Waits until {@code check} reports ready fds or the deadline passes; wakes on any of the files' queues. */
    static int waitReady(Task t, List<OpenFile> files, java.util.function.IntSupplier check, long deadline) {
        int n = check.getAsInt();
        if (n > 0 || deadline <= System.nanoTime()) return n;
        Map<WaitQueue, Boolean> queues = new IdentityHashMap<>();
        boolean host = false;
        List<OpenFile> sources = new java.util.ArrayList<>(files);
        for (OpenFile f : files) {
            // An epoll instance becomes ready when a file it watches does: sleep on those too.
            if (f instanceof dev.jvisor.sentry.fs.anon.EpollFile ep) sources.addAll(ep.wakeSources());
        }
        for (OpenFile f : sources) {
            if (f == null) continue;
            WaitQueue q = f.waitQueue();
            if (q != null) queues.put(q, true);
            if (f instanceof HostStdioFile || q == null) host = true;
        }
        for (WaitQueue q : queues.keySet()) q.add(t);
        try {
            while (true) {
                t.prepareSleep();
                n = check.getAsInt();
                if (n > 0) return n;
                long now = System.nanoTime();
                if (now >= deadline) return 0;
                long until = host ? Math.min(deadline, now + HOST_POLL_INTERVAL) : deadline;
                try {
                    t.sleep(until);
                } catch (ErrnoException e) {
                    if (e.errno() == Errno.ERESTARTSYS) throw Errno.ERESTARTNOHAND.exception();
                    throw e;
                }
            }
        } finally {
            for (WaitQueue q : queues.keySet()) q.remove(t);
        }
    }

    static long poll(Task t, long fdsAddr, long nfds, long deadline) {
        if (nfds < 0 || nfds > Math.min(MAX_FDS, t.group().rlimits().soft(7) < 0 ? MAX_FDS : t.group().rlimits().soft(7))) {
            throw Errno.EINVAL.exception();
        }
        int count = (int) nfds;
        byte[] raw = count == 0 ? new byte[0] : t.mm().read(fdsAddr, count * 8);
        int[] fds = new int[count];
        short[] events = new short[count];
        short[] revents = new short[count];
        List<OpenFile> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int o = i * 8;
            fds[i] = (raw[o] & 0xff) | (raw[o + 1] & 0xff) << 8 | (raw[o + 2] & 0xff) << 16 | raw[o + 3] << 24;
            events[i] = (short) ((raw[o + 4] & 0xff) | raw[o + 5] << 8);
            OpenFile f = null;
            if (fds[i] >= 0) {
                try {
                    f = t.fds().get(fds[i]);
                } catch (ErrnoException e) {
                    f = null;
                }
            }
            files.add(f);
        }
        int ready = waitReady(t, files, () -> {
            int n = 0;
            for (int i = 0; i < count; i++) {
                OpenFile f = files.get(i);
                int rev;
                if (fds[i] < 0) rev = 0;
                else if (f == null) rev = POLLNVAL;
                else rev = f.poll((events[i] & 0xffff) | POLLERR | POLLHUP);
                revents[i] = (short) rev;
                if (rev != 0) n++;
            }
            return n;
        }, deadline);
        for (int i = 0; i < count; i++) {
            raw[i * 8 + 6] = (byte) revents[i];
            raw[i * 8 + 7] = (byte) (revents[i] >> 8);
        }
        if (count > 0) t.mm().write(fdsAddr, raw, 0, raw.length);
        return ready;
    }

    static long select(Task t, int nfds, long rAddr, long wAddr, long eAddr, long deadline) {
        if (nfds < 0 || nfds > 1 << 20) throw Errno.EINVAL.exception();
        int words = (nfds + 63) / 64;
        long[] in = readSet(t, rAddr, words), out = readSet(t, wAddr, words), ex = readSet(t, eAddr, words);
        long[] rin = new long[words], rout = new long[words], rex = new long[words];
        List<OpenFile> files = new ArrayList<>();
        OpenFile[] byFd = new OpenFile[nfds];
        for (int fd = 0; fd < nfds; fd++) {
            long bit = 1L << (fd % 64);
            int w = fd / 64;
            long any = (in == null ? 0 : in[w]) | (out == null ? 0 : out[w]) | (ex == null ? 0 : ex[w]);
            if ((any & bit) == 0) continue;
            byFd[fd] = t.fds().get(fd); // EBADF for a closed fd in any set
            files.add(byFd[fd]);
        }
        int ready = waitReady(t, files, () -> {
            int n = 0;
            java.util.Arrays.fill(rin, 0);
            java.util.Arrays.fill(rout, 0);
            java.util.Arrays.fill(rex, 0);
            for (int fd = 0; fd < nfds; fd++) {
                OpenFile f = byFd[fd];
                if (f == null) continue;
                int w = fd / 64;
                long bit = 1L << (fd % 64);
                int rev = f.poll(POLLIN | POLLOUT | POLLPRI | POLLERR | POLLHUP);
                if (in != null && (in[w] & bit) != 0 && (rev & (POLLIN | POLLHUP | POLLERR)) != 0) { rin[w] |= bit; n++; }
                if (out != null && (out[w] & bit) != 0 && (rev & (POLLOUT | POLLERR)) != 0) { rout[w] |= bit; n++; }
                if (ex != null && (ex[w] & bit) != 0 && (rev & POLLPRI) != 0) { rex[w] |= bit; n++; }
            }
            return n;
        }, deadline);
        writeSet(t, rAddr, rin, nfds);
        writeSet(t, wAddr, rout, nfds);
        writeSet(t, eAddr, rex, nfds);
        return ready;
    }

    private static long[] readSet(Task t, long addr, int words) {
        if (addr == 0) return null;
        long[] s = new long[words];
        for (int i = 0; i < words; i++) s[i] = t.mm().readLong(addr + 8L * i);
        return s;
    }

    private static void writeSet(Task t, long addr, long[] set, int nfds) {
        if (addr == 0) return;
        for (int i = 0; i < set.length; i++) t.mm().writeLong(addr + 8L * i, set[i]);
    }
}
