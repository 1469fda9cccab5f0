package dev.jvisor.sentry.host.confine;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.Sysno;
import dev.jvisor.seccomp.SeccompAssembler;
import dev.jvisor.seccomp.SeccompRules;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The host system calls the Sentry may not make once its sandbox is up.
 *
 * <p>A deny list, not an allow list: the Sentry is a JVM whose own needs (JIT, GC, class loading,
 * thread creation, posix_spawn of stubs and Gofers, ptrace, /proc/PID/mem) vary with the JDK
 * build and the workload, and a call missing from an allow list would kill a sandbox in the
 * middle of its life. What is listed is what no part of the Sentry, its stubs or its Gofers does
 * after start-up, and what an attacker who took the Sentry over would reach for: the mount table,
 * namespaces, kernel modules and kexec, BPF, perf, keyrings, file handles that bypass path
 * checks, the clock, swap, accounting and quotas. The filter is inherited by every stub and Gofer
 * the Sentry spawns later, so it must not refuse what they need: chroot (the Gofer confines itself
 * with it, within the sandbox's private mount namespace), prctl and capset (the Gofer's launcher
 * drops capabilities), execve. Application system calls are not affected at all: the stubs run
 * under PTRACE_SYSEMU, whose stop comes before seccomp and skips the call entirely.
 *
 * <p>Calls whose only use is to attack the host kernel kill the process; the others fail with
 * EPERM, as they would for an unprivileged process, so a probe by a library does no harm.
 */
public final class SentrySyscallPolicy {
    /** (name, number): names for messages and tests, numbers from {@link Sysno}. */
    public record Syscall(String name, int number) {}

    /** Calls that mean the process is no longer ours: the sandbox dies rather than make them. */
    public static final List<Syscall> KILLED = List.of(
            new Syscall("kexec_load", Sysno.KEXEC_LOAD), new Syscall("kexec_file_load", Sysno.KEXEC_FILE_LOAD),
            new Syscall("init_module", Sysno.INIT_MODULE), new Syscall("finit_module", Sysno.FINIT_MODULE),
            new Syscall("delete_module", Sysno.DELETE_MODULE), new Syscall("reboot", Sysno.REBOOT),
            new Syscall("swapon", Sysno.SWAPON), new Syscall("swapoff", Sysno.SWAPOFF),
            new Syscall("iopl", Sysno.IOPL), new Syscall("ioperm", Sysno.IOPERM),
            new Syscall("open_by_handle_at", Sysno.OPEN_BY_HANDLE_AT), new Syscall("uselib", Sysno.USELIB),
            new Syscall("nfsservctl", Sysno.NFSSERVCTL), new Syscall("_sysctl", Sysno._SYSCTL));

    /** Calls that fail with EPERM. */
    public static final List<Syscall> REFUSED = List.of(
            new Syscall("mount", Sysno.MOUNT), new Syscall("umount2", Sysno.UMOUNT2),
            new Syscall("pivot_root", Sysno.PIVOT_ROOT), new Syscall("open_tree", Sysno.OPEN_TREE),
            new Syscall("move_mount", Sysno.MOVE_MOUNT), new Syscall("fsopen", Sysno.FSOPEN),
            new Syscall("fsconfig", Sysno.FSCONFIG), new Syscall("fsmount", Sysno.FSMOUNT),
            new Syscall("fspick", Sysno.FSPICK), new Syscall("mount_setattr", Sysno.MOUNT_SETATTR),
            new Syscall("unshare", Sysno.UNSHARE), new Syscall("setns", Sysno.SETNS),
            new Syscall("bpf", Sysno.BPF), new Syscall("perf_event_open", Sysno.PERF_EVENT_OPEN),
            new Syscall("keyctl", Sysno.KEYCTL), new Syscall("add_key", Sysno.ADD_KEY),
            new Syscall("request_key", Sysno.REQUEST_KEY), new Syscall("name_to_handle_at", Sysno.NAME_TO_HANDLE_AT),
            new Syscall("userfaultfd", Sysno.USERFAULTFD), new Syscall("acct", Sysno.ACCT),
            new Syscall("quotactl", Sysno.QUOTACTL), new Syscall("quotactl_fd", Sysno.QUOTACTL_FD),
            new Syscall("lookup_dcookie", Sysno.LOOKUP_DCOOKIE), new Syscall("syslog", Sysno.SYSLOG),
            new Syscall("settimeofday", Sysno.SETTIMEOFDAY), new Syscall("clock_settime", Sysno.CLOCK_SETTIME),
            new Syscall("clock_adjtime", Sysno.CLOCK_ADJTIME), new Syscall("adjtimex", Sysno.ADJTIMEX),
            new Syscall("sethostname", Sysno.SETHOSTNAME), new Syscall("setdomainname", Sysno.SETDOMAINNAME),
            new Syscall("vhangup", Sysno.VHANGUP), new Syscall("fanotify_init", Sysno.FANOTIFY_INIT));

    /**
     * clone3 passes its flags in memory, which a filter cannot read: ENOSYS makes glibc fall
     * back to clone, whose flags it can.
     */
    public static final Syscall CLONE3 = new Syscall("clone3", Sysno.CLONE3);

    /** clone may make threads and processes, never namespaces (unshare's other door). */
    public static final Syscall CLONE = new Syscall("clone", Sysno.CLONE);

    /**
     * CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |
     * CLONE_NEWNET, include/uapi/linux/sched.h.
     */
    public static final long CLONE_NAMESPACE_FLAGS = 0x00020000L | 0x02000000L | 0x04000000L | 0x08000000L
            | 0x10000000L | 0x20000000L | 0x40000000L;

    private SentrySyscallPolicy() {}

    static SeccompRules rules() {
        var killed = new TreeSet<Integer>();
        KILLED.forEach(s -> killed.add(s.number()));
        SortedMap<Integer, Integer> failing = new TreeMap<>();
        REFUSED.forEach(s -> failing.put(s.number(), Errno.EPERM.number()));
        failing.put(CLONE3.number(), Errno.ENOSYS.number());
        SortedMap<Integer, SeccompRules.Arg0Test> byArg0 = new TreeMap<>(Map.of(CLONE.number(),
                new SeccompRules.Arg0Test(CLONE_NAMESPACE_FLAGS, SeccompRules.fail(Errno.EPERM.number()), SeccompRules.ALLOW)));
        return new SeccompRules(killed, failing, new TreeSet<>(), byArg0, SeccompRules.ALLOW);
    }

    /** The filter program, assembled. */
    static List<SeccompAssembler.Instruction> program() {
        return SeccompAssembler.assemble(rules());
    }
}
