package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.Sysno;
import dev.jvisor.sentry.fs.dev.DevFs;
import dev.jvisor.sentry.kernel.Credentials;
import dev.jvisor.sentry.kernel.Kernel;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.mm.MemoryFile;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Implements uname(2), sethostname(2), setdomainname(2), sysinfo(2), getrandom(2) and syslog(2) (the kernel log that dmesg reads). */
final class SysInfo {
    private SysInfo() {}

    /** What dmesg shows inside the sandbox. */
    static final String BANNER = "[    0.000000] Starting jVisor, an application kernel written in Java...\n"
            + "[    0.000000] Linux version " + Kernel.RELEASE + " compatible; every system call is served by the Sentry\n";

    static void register(Registrar r) {
        r.full(Sysno.UNAME, "p", (t, a) -> {
            Kernel k = t.kernel();
            byte[] u = new byte[65 * 6];
            put(u, 0, "Linux");
            put(u, 1, k.hostname());
            put(u, 2, Kernel.RELEASE);
            put(u, 3, Kernel.VERSION);
            put(u, 4, "x86_64");
            put(u, 5, k.domainname());
            t.mm().write(a.arg(0), u, 0, u.length);
            return 0;
        });
        r.full(Sysno.SETHOSTNAME, "sd", (t, a) -> {
            t.kernel().hostname(name(t, a.arg(0), a.arg(1)));
            return 0;
        });
        r.full(Sysno.SETDOMAINNAME, "sd", (t, a) -> {
            t.kernel().domainname(name(t, a.arg(0), a.arg(1)));
            return 0;
        });
        r.partial(Sysno.SYSINFO, "p", "memory figures describe the sandbox's nominal 2 GiB", (t, a) -> {
            ByteBuffer b = ByteBuffer.allocate(112).order(ByteOrder.LITTLE_ENDIAN);
            long total = 2L << 30, used = MemoryFile.get().allocatedBytes();
            b.putLong(0, t.kernel().uptimeNanos() / 1_000_000_000L);
            b.putLong(32, total).putLong(40, Math.max(0, total - used)).putLong(48, 0).putLong(56, 0);
            b.putLong(64, 0).putLong(72, 0);
            b.putShort(80, (short) t.kernel().processCount());
            b.putInt(104, 1);
            t.mm().write(a.arg(0), b.array(), 0, 112);
            return 0;
        });
        r.full(Sysno.GETRANDOM, "pdx", (t, a) -> {
            long len = a.arg(1);
            int flags = (int) a.arg(2);
            if ((flags & ~7) != 0 || (flags & 6) == 6) throw Errno.EINVAL.exception();
            if (len < 0) throw Errno.EINVAL.exception();
            int n = (int) Math.min(len, 32 << 20);
            byte[] buf = new byte[n];
            DevFs.random(buf, 0, n);
            t.mm().write(a.arg(0), buf, 0, n);
            return n;
        });
        r.partial(Sysno.SYSLOG, "dpd", "a read-only log holding the jVisor banner", (t, a) -> {
            int type = (int) a.arg(0);
            byte[] log = BANNER.getBytes(StandardCharsets.UTF_8);
            switch (type) {
                case 0, 1 -> { return 0; }                       // close, open
                case 2, 3, 4 -> {                                // read, read all, read and clear
                    int len = (int) a.arg(2);
                    if (len < 0 || a.arg(1) == 0) throw Errno.EINVAL.exception();
                    int n = (int) Math.min(len, log.length);
                    if (n > 0) t.mm().write(a.arg(1), log, log.length - n, n);
                    return n;
                }
                case 9 -> { return 0; }                          // unread size
                case 10 -> { return log.length; }                // buffer size
                case 5, 6, 7, 8 -> {
                    if (!t.creds().hasCap(Credentials.CAP_SYS_ADMIN)) throw Errno.EPERM.exception();
                    return 0;
                }
                default -> throw Errno.EINVAL.exception();
            }
        });
    }

    private static void put(byte[] u, int field, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, u, field * 65, Math.min(b.length, 64));
    }

    private static String name(Task t, long addr, long len) {
        if (!t.creds().hasCap(Credentials.CAP_SYS_ADMIN)) throw Errno.EPERM.exception();
        if (len < 0 || len > 64) throw Errno.EINVAL.exception();
        return new String(t.mm().read(addr, (int) len), StandardCharsets.UTF_8);
    }
}
