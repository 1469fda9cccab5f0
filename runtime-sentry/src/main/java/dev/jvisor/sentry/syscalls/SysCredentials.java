package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.linux.Capability;
import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.ErrnoException;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.abi.linux.Signal;
import dev.jvisor.abi.linux.Prctl;
import dev.jvisor.abi.linux.Sysno;
import dev.jvisor.sentry.kernel.CapabilitySets;
import dev.jvisor.sentry.kernel.Credentials;
import dev.jvisor.sentry.kernel.Rlimits;
import dev.jvisor.sentry.kernel.SigInfo;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.ThreadGroup;
import dev.jvisor.sentry.platform.Registers;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.OpenFile;

/**
 * Implements identity and privilege: the get/set*id(2) calls, getgroups(2)/setgroups(2),
 * capget(2)/capset(2), the capability, securebits and no_new_privs options of prctl(2), and
 * the resource limits (getrlimit(2), setrlimit(2), prlimit64(2)) and RLIMIT_FSIZE's check on writes. A task's credentials belong to
 * its process here (set*id(2) changes every thread, as glibc makes it on Linux).
 */
final class SysCredentials {
    private SysCredentials() {}

    /** Largest RLIMIT_NOFILE hard limit (fs.nr_open's default, 1 << 20). */
    static final long NR_OPEN = Rlimits.NR_OPEN;

    static void register(Registrar r) {
        registerIds(r);
        registerGroups(r);
        registerCapabilities(r);
        r.full(Sysno.GETRLIMIT, "dp", (t, a) -> rlimit(t, 0, (int) a.arg(0), 0, a.arg(1)));
        r.full(Sysno.SETRLIMIT, "dp", (t, a) -> rlimit(t, 0, (int) a.arg(0), a.arg(1), 0));
        r.full(Sysno.PRLIMIT64, "ddpp", (t, a) -> rlimit(t, (int) a.arg(0), (int) a.arg(1), a.arg(2), a.arg(3)));
    }

    private static void set(Task t, Credentials c) { t.group().creds(c); }

    // ------------------------------------------------------------------ user and group ids

    private static void registerIds(Registrar r) {
        r.full(Sysno.GETUID, "", (t, a) -> t.creds().uid());
        r.full(Sysno.GETEUID, "", (t, a) -> t.creds().euid());
        r.full(Sysno.GETGID, "", (t, a) -> t.creds().gid());
        r.full(Sysno.GETEGID, "", (t, a) -> t.creds().egid());
        r.full(Sysno.GETRESUID, "ppp", (t, a) -> {
            Credentials c = t.creds();
            t.mm().writeInt(a.arg(0), c.uid());
            t.mm().writeInt(a.arg(1), c.euid());
            t.mm().writeInt(a.arg(2), c.suid());
            return 0;
        });
        r.full(Sysno.GETRESGID, "ppp", (t, a) -> {
            Credentials c = t.creds();
            t.mm().writeInt(a.arg(0), c.gid());
            t.mm().writeInt(a.arg(1), c.egid());
            t.mm().writeInt(a.arg(2), c.sgid());
            return 0;
        });
        r.full(Sysno.SETUID, "d", (t, a) -> {
            Credentials c = t.creds();
            int uid = (int) a.arg(0);
            if (uid == -1) throw Errno.EINVAL.exception();
            if (c.hasCap(Capability.CAP_SETUID)) set(t, c.withUids(uid, uid, uid));
            else if (uid == c.uid() || uid == c.suid()) set(t, c.withUids(c.uid(), uid, c.suid()));
            else throw Errno.EPERM.exception();
            return 0;
        });
        r.full(Sysno.SETGID, "d", (t, a) -> {
            Credentials c = t.creds();
            int gid = (int) a.arg(0);
            if (gid == -1) throw Errno.EINVAL.exception();
            if (c.hasCap(Capability.CAP_SETGID)) set(t, c.withGids(gid, gid, gid));
            else if (gid == c.gid() || gid == c.sgid()) set(t, c.withGids(c.gid(), gid, c.sgid()));
            else throw Errno.EPERM.exception();
            return 0;
        });
        r.full(Sysno.SETRESUID, "ddd", (t, a) -> setresuid(t, (int) a.arg(0), (int) a.arg(1), (int) a.arg(2)));
        r.full(Sysno.SETREUID, "dd", (t, a) -> {
            // The saved id follows a new effective id when the real id is set or the effective
            // id moves away from the real one (setreuid(2)).
            int ru = (int) a.arg(0), eu = (int) a.arg(1);
            Credentials c = t.creds();
            boolean saves = ru != -1 || (eu != -1 && eu != c.uid());
            return setresuid(t, ru, eu, saves ? (eu != -1 ? eu : c.euid()) : -1);
        });
        r.full(Sysno.SETRESGID, "ddd", (t, a) -> setresgid(t, (int) a.arg(0), (int) a.arg(1), (int) a.arg(2)));
        r.full(Sysno.SETREGID, "dd", (t, a) -> {
            int rg = (int) a.arg(0), eg = (int) a.arg(1);
            Credentials c = t.creds();
            boolean saves = rg != -1 || (eg != -1 && eg != c.gid());
            return setresgid(t, rg, eg, saves ? (eg != -1 ? eg : c.egid()) : -1);
        });
        // Both return the previous value whether or not the change was allowed, as Linux does.
        r.full(Sysno.SETFSUID, "d", (t, a) -> {
            Credentials c = t.creds();
            int id = (int) a.arg(0);
            if (id != -1 && (c.hasCap(Capability.CAP_SETUID) || id == c.uid() || id == c.euid() || id == c.suid() || id == c.fsuid())) {
                set(t, c.withFsuid(id));
            }
            return c.fsuid();
        });
        r.full(Sysno.SETFSGID, "d", (t, a) -> {
            Credentials c = t.creds();
            int id = (int) a.arg(0);
            if (id != -1 && (c.hasCap(Capability.CAP_SETGID) || id == c.gid() || id == c.egid() || id == c.sgid() || id == c.fsgid())) {
                set(t, c.withFsgid(id));
            }
            return c.fsgid();
        });
    }

    private static long setresuid(Task t, int r, int e, int s) {
        Credentials c = t.creds();
        boolean priv = c.hasCap(Capability.CAP_SETUID);
        for (int v : new int[] {r, e, s}) {
            if (v != -1 && !priv && v != c.uid() && v != c.euid() && v != c.suid()) throw Errno.EPERM.exception();
        }
        set(t, c.withUids(r == -1 ? c.uid() : r, e == -1 ? c.euid() : e, s == -1 ? c.suid() : s));
        return 0;
    }

    private static long setresgid(Task t, int r, int e, int s) {
        Credentials c = t.creds();
        boolean priv = c.hasCap(Capability.CAP_SETGID);
        for (int v : new int[] {r, e, s}) {
            if (v != -1 && !priv && v != c.gid() && v != c.egid() && v != c.sgid()) throw Errno.EPERM.exception();
        }
        set(t, c.withGids(r == -1 ? c.gid() : r, e == -1 ? c.egid() : e, s == -1 ? c.sgid() : s));
        return 0;
    }

    private static void registerGroups(Registrar r) {
        r.full(Sysno.GETGROUPS, "dp", (t, a) -> {
            int[] g = t.creds().groups();
            int size = (int) a.arg(0);
            if (size < 0) throw Errno.EINVAL.exception();
            if (size == 0) return g.length;
            if (size < g.length) throw Errno.EINVAL.exception();
            for (int i = 0; i < g.length; i++) t.mm().writeInt(a.arg(1) + 4L * i, g[i]);
            return g.length;
        });
        r.full(Sysno.SETGROUPS, "dp", (t, a) -> {
            int size = (int) a.arg(0);
            if (size < 0 || size > Credentials.NGROUPS_MAX) throw Errno.EINVAL.exception();
            if (!t.creds().hasCap(Capability.CAP_SETGID)) throw Errno.EPERM.exception();
            int[] g = new int[size];
            for (int i = 0; i < size; i++) g[i] = t.mm().readInt(a.arg(1) + 4L * i);
            set(t, t.creds().withGroups(g));
            return 0;
        });
    }

    // ------------------------------------------------------------------ capabilities

    private static void registerCapabilities(Registrar r) {
        r.full(Sysno.CAPGET, "pp", SysCredentials::capget);
        r.full(Sysno.CAPSET, "pp", SysCredentials::capset);
    }

    /** Words per set for a header version, or -1 for a version this kernel does not know. */
    private static int words(int version) {
        return switch (version) {
            case Capability._LINUX_CAPABILITY_VERSION_1 -> 1;
            case Capability._LINUX_CAPABILITY_VERSION_2, Capability._LINUX_CAPABILITY_VERSION_3 -> 2;
            default -> -1;
        };
    }

    private static long capget(Task t, Registers a) {
        long header = a.arg(0), data = a.arg(1);
        int words = words(t.mm().readInt(header));
        if (words < 0) {
            // The caller learns the version to use; asking without a data pointer is how it probes.
            t.mm().writeInt(header, Capability._LINUX_CAPABILITY_VERSION_3);
            if (data == 0) return 0;
            throw Errno.EINVAL.exception();
        }
        if (data == 0) return 0;
        int pid = t.mm().readInt(header + 4);
        if (pid < 0) throw Errno.EINVAL.exception();
        CapabilitySets c = (pid == 0 ? t.group() : SysProcess.target(t, pid)).creds().caps();
        for (int i = 0; i < words; i++) {
            long at = data + (long) Capability.CAP_DATA_SIZE * i;
            t.mm().writeInt(at, (int) (c.effective() >>> (32 * i)));
            t.mm().writeInt(at + 4, (int) (c.permitted() >>> (32 * i)));
            t.mm().writeInt(at + 8, (int) (c.inheritable() >>> (32 * i)));
        }
        return 0;
    }

    private static long capset(Task t, Registers a) {
        long header = a.arg(0), data = a.arg(1);
        int words = words(t.mm().readInt(header));
        if (words < 0) {
            t.mm().writeInt(header, Capability._LINUX_CAPABILITY_VERSION_3);
            throw Errno.EINVAL.exception();
        }
        int pid = t.mm().readInt(header + 4);
        // Only the caller's own sets may be changed (CAP_SETPCAP over others is long gone).
        if (pid != 0 && pid != t.tid() && pid != t.tgid()) throw Errno.EPERM.exception();
        long e = 0, p = 0, i = 0;
        for (int w = 0; w < words; w++) {
            long at = data + (long) Capability.CAP_DATA_SIZE * w;
            e |= (t.mm().readInt(at) & 0xffffffffL) << (32 * w);
            p |= (t.mm().readInt(at + 4) & 0xffffffffL) << (32 * w);
            i |= (t.mm().readInt(at + 8) & 0xffffffffL) << (32 * w);
        }
        e &= Capability.CAP_FULL_SET;
        p &= Capability.CAP_FULL_SET;
        i &= Capability.CAP_FULL_SET;
        Credentials c = t.creds();
        CapabilitySets old = c.caps();
        // cap_capset: inheritable may grow only within permitted (unless CAP_SETPCAP) and never
        // beyond the bounding set; permitted never grows; effective stays within permitted.
        if (!c.hasCap(Capability.CAP_SETPCAP) && (i & ~(old.inheritable() | old.permitted())) != 0) throw Errno.EPERM.exception();
        if ((i & ~(old.inheritable() | old.bounding())) != 0) throw Errno.EPERM.exception();
        if ((p & ~old.permitted()) != 0) throw Errno.EPERM.exception();
        if ((e & ~p) != 0) throw Errno.EPERM.exception();
        set(t, c.withCaps(old.withCapset(e, p, i)));
        return 0;
    }

    /**
     * The prctl(2) options about privilege; returns null for any other option. Arguments Linux
     * requires to be zero must be.
     */
    static Long prctl(Task t, int option, Registers a) {
        long arg2 = a.arg(1), arg3 = a.arg(2), arg4 = a.arg(3), arg5 = a.arg(4);
        Credentials c = t.creds();
        CapabilitySets caps = c.caps();
        switch (option) {
            case Prctl.PR_GET_KEEPCAPS -> { return (long) ((c.securebits() & Prctl.SECBIT_KEEP_CAPS) != 0 ? 1 : 0); }
            case Prctl.PR_SET_KEEPCAPS -> {
                if (arg2 != 0 && arg2 != 1) throw Errno.EINVAL.exception();
                if ((c.securebits() & (1 << Prctl.SECURE_KEEP_CAPS_LOCKED)) != 0) throw Errno.EPERM.exception();
                int bits = arg2 == 1 ? c.securebits() | Prctl.SECBIT_KEEP_CAPS : c.securebits() & ~Prctl.SECBIT_KEEP_CAPS;
                set(t, c.withSecurebits(bits));
                return 0L;
            }
            case Prctl.PR_CAPBSET_READ -> {
                if (!Capability.valid(arg2)) throw Errno.EINVAL.exception();
                return (caps.bounding() >>> arg2) & 1;
            }
            case Prctl.PR_CAPBSET_DROP -> {
                if (!Capability.valid(arg2)) throw Errno.EINVAL.exception();
                if (!c.hasCap(Capability.CAP_SETPCAP)) throw Errno.EPERM.exception();
                set(t, c.withCaps(caps.withBounding(caps.bounding() & ~Capability.bit((int) arg2))));
                return 0L;
            }
            case Prctl.PR_GET_SECUREBITS -> { return (long) c.securebits(); }
            case Prctl.PR_SET_SECUREBITS -> {
                long old = c.securebits();
                long lockedFlags = (old & Prctl.SECURE_ALL_LOCKS) >>> 1;
                if ((lockedFlags & (old ^ arg2)) != 0                       // a locked flag would change
                        || (old & Prctl.SECURE_ALL_LOCKS & ~arg2) != 0      // a lock would be released
                        || (arg2 & ~(long) (Prctl.SECURE_ALL_LOCKS | Prctl.SECURE_ALL_BITS)) != 0
                        || !c.hasCap(Capability.CAP_SETPCAP)) {
                    throw Errno.EPERM.exception();
                }
                set(t, c.withSecurebits((int) arg2));
                return 0L;
            }
            case Prctl.PR_SET_NO_NEW_PRIVS -> {
                if (arg2 != 1 || arg3 != 0 || arg4 != 0 || arg5 != 0) throw Errno.EINVAL.exception();
                set(t, c.withNoNewPrivs());
                return 0L;
            }
            case Prctl.PR_GET_NO_NEW_PRIVS -> {
                if (arg2 != 0 || arg3 != 0 || arg4 != 0 || arg5 != 0) throw Errno.EINVAL.exception();
                return c.noNewPrivs() ? 1L : 0L;
            }
            case Prctl.PR_CAP_AMBIENT -> { return ambient(t, c, arg2, arg3, arg4, arg5); }
            default -> { return null; }
        }
    }

    private static long ambient(Task t, Credentials c, long op, long cap, long arg4, long arg5) {
        CapabilitySets caps = c.caps();
        if (op == Prctl.PR_CAP_AMBIENT_CLEAR_ALL) {
            if (cap != 0 || arg4 != 0 || arg5 != 0) throw Errno.EINVAL.exception();
            set(t, c.withCaps(caps.withAmbient(0)));
            return 0;
        }
        if (!Capability.valid(cap) || arg4 != 0 || arg5 != 0) throw Errno.EINVAL.exception();
        long bit = Capability.bit((int) cap);
        switch ((int) op) {
            case Prctl.PR_CAP_AMBIENT_IS_SET -> { return (caps.ambient() & bit) != 0 ? 1 : 0; }
            case Prctl.PR_CAP_AMBIENT_RAISE -> {
                if ((caps.permitted() & bit) == 0 || (caps.inheritable() & bit) == 0
                        || (c.securebits() & Prctl.SECBIT_NO_CAP_AMBIENT_RAISE) != 0) {
                    throw Errno.EPERM.exception();
                }
                set(t, c.withCaps(caps.withAmbient(caps.ambient() | bit)));
                return 0;
            }
            case Prctl.PR_CAP_AMBIENT_LOWER -> {
                set(t, c.withCaps(caps.withAmbient(caps.ambient() & ~bit)));
                return 0;
            }
            default -> throw Errno.EINVAL.exception();
        }
    }

    // ------------------------------------------------------------------ resource limits

    private static long rlimit(Task t, int pid, int resource, long newAddr, long oldAddr) {
        if (resource < 0 || resource >= Rlimits.COUNT) throw Errno.EINVAL.exception();
        ThreadGroup g = SysProcess.target(t, pid);
        if (g != t.group()) checkMayChangeLimitsOf(t, g);
        Rlimits rl = g.rlimits();
        long soft = 0, hard = 0;
        if (newAddr != 0) {
            soft = t.mm().readLong(newAddr);
            hard = t.mm().readLong(newAddr + 8);
            if (Long.compareUnsigned(soft, hard) > 0) throw Errno.EINVAL.exception();
            if (Long.compareUnsigned(hard, rl.hard(resource)) > 0 && !t.creds().hasCap(Capability.CAP_SYS_RESOURCE)) {
                throw Errno.EPERM.exception();
            }
            if (resource == Rlimits.RLIMIT_NOFILE && Long.compareUnsigned(hard, NR_OPEN) > 0) throw Errno.EPERM.exception();
        }
        // The old limits go out only once the new ones are accepted (both may be one buffer).
        if (oldAddr != 0) {
            t.mm().writeLong(oldAddr, rl.soft(resource));
            t.mm().writeLong(oldAddr + 8, rl.hard(resource));
        }
        if (newAddr != 0) {
            rl.set(resource, soft, hard);
            if (resource == Rlimits.RLIMIT_NOFILE) {
                for (Task member : g.tasks()) if (member.fds() != null) member.fds().setLimit(Rlimits.fdLimit(soft));
            }
        }
        return 0;
    }

    /** prlimit64(2) on another process: the caller's ids must all match the target's real ids, or CAP_SYS_RESOURCE. */
    private static void checkMayChangeLimitsOf(Task t, ThreadGroup g) {
        Credentials c = t.creds(), tc = g.creds();
        boolean sameUser = c.uid() == tc.uid() && c.uid() == tc.euid() && c.uid() == tc.suid()
                && c.gid() == tc.gid() && c.gid() == tc.egid() && c.gid() == tc.sgid();
        if (!sameUser && !c.hasCap(Capability.CAP_SYS_RESOURCE)) throw Errno.EPERM.exception();
    }

    /**
     * Before a write: a writer without CAP_FSETID takes a regular file's set-user-ID bit away, and
     * its set-group-ID bit when the group may execute it (fs/inode.c should_remove_suid), so that
     * writing to a privileged program never leaves it privileged.
     */
    static void removePrivilegesForWrite(Task t, OpenFile f) {
        Inode i = f.inode();
        if (i == null || !i.isRegular()) return;
        int mode = i.mode();
        int kill = (mode & FileMode.S_ISUID) | ((mode & FileMode.S_ISGID) != 0 && (mode & 010) != 0 ? FileMode.S_ISGID : 0);
        if (kill == 0 || t.creds().hasCap(Capability.CAP_FSETID)) return;
        i.chmod(mode & 07777 & ~kill);
    }

    /**
     * RLIMIT_FSIZE on a write of {@code len} bytes to {@code f} at {@code pos} (negative: at the
     * file's offset, or its end with O_APPEND): how many bytes may be written. A write that
     * would start at or beyond the limit gets SIGXFSZ and EFBIG; one that crosses it is cut
     * short. Only regular files have a size to limit.
     */
    static long fileSizeLimited(Task t, OpenFile f, long pos, long len) {
        long limit = t.group().rlimits().soft(Rlimits.RLIMIT_FSIZE);
        Inode inode = f.inode();
        if (limit == Rlimits.INFINITY || len == 0 || inode == null || !inode.isRegular()) return len;
        long start = pos >= 0 ? pos : (f.flags() & FileMode.O_APPEND) != 0 ? inode.size() : f.seek(0, 1 /* SEEK_CUR */);
        if (Long.compareUnsigned(start, limit) >= 0) throw fileTooLarge(t);
        return Long.compareUnsigned(len, limit - start) > 0 ? limit - start : len;
    }

    /** RLIMIT_FSIZE on growing {@code inode} to {@code length} (truncate(2), fallocate(2)). */
    static void checkFileSize(Task t, Inode inode, long length) {
        long limit = t.group().rlimits().soft(Rlimits.RLIMIT_FSIZE);
        if (limit != Rlimits.INFINITY && length > inode.size() && Long.compareUnsigned(length, limit) > 0) throw fileTooLarge(t);
    }

    private static ErrnoException fileTooLarge(Task t) {
        t.kernel().signalTask(t, SigInfo.kernel(Signal.SIGXFSZ));
        return Errno.EFBIG.exception();
    }
}
