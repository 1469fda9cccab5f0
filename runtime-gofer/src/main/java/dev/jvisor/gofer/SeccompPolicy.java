package dev.jvisor.gofer;

import dev.jvisor.abi.Errno;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which host system calls the confined Gofer may make. Allowed: what its file operations need
 * plus what a running JVM needs (threads, memory, futexes, clocks, signals). Killed outright:
 * calls that only an attacker who took over the process would make (exec, ptrace, mounts,
 * namespaces, module and key management, BPF, other processes' memory). Everything else fails
 * with EPERM, which the JVM tolerates, rather than killing the Gofer over a harmless probe.
 *
 * <p>Numbers are x86-64's, {@code arch/x86/entry/syscalls/syscall_64.tbl}; a test checks each
 * against the system's {@code <asm/unistd_64.h>}.
 */
final class SeccompPolicy {
    /** (name, number) so that a test can check each number against the system headers. */
    record Syscall(String name, int number) {}

    /** CLONE_THREAD, {@code <linux/sched.h>}: clone may make threads, never processes. */
    static final int CLONE_THREAD = 0x00010000;

    /**
     * The Gofer's own file and socket calls. sendmsg carries Rdonatefd's descriptor as SCM_RIGHTS
     * data; the Gofer never receives descriptors (its transport reads with read(2), which drops
     * any a peer sends), so no call beyond these is needed for lending them.
     */
    static final List<Syscall> FILE_CALLS = List.of(
            new Syscall("read", 0), new Syscall("write", 1), new Syscall("close", 3),
            new Syscall("fstat", 5), new Syscall("lseek", 8), new Syscall("pread64", 17),
            new Syscall("pwrite64", 18), new Syscall("readv", 19), new Syscall("writev", 20),
            new Syscall("sendto", 44), new Syscall("recvfrom", 45), new Syscall("sendmsg", 46),
            new Syscall("recvmsg", 47), new Syscall("shutdown", 48), new Syscall("fcntl", 72),
            new Syscall("fsync", 74), new Syscall("fdatasync", 75), new Syscall("ftruncate", 77),
            new Syscall("fchmod", 91), new Syscall("fstatfs", 138), new Syscall("fsetxattr", 190),
            new Syscall("fgetxattr", 193), new Syscall("flistxattr", 196), new Syscall("getdents64", 217),
            new Syscall("openat", 257), new Syscall("mkdirat", 258), new Syscall("mknodat", 259),
            new Syscall("fchownat", 260), new Syscall("newfstatat", 262), new Syscall("unlinkat", 263),
            new Syscall("linkat", 265), new Syscall("symlinkat", 266), new Syscall("readlinkat", 267),
            new Syscall("utimensat", 280), new Syscall("renameat2", 316), new Syscall("statx", 332),
            new Syscall("openat2", 437));

    /** What the JVM itself needs once running: memory, threads, synchronisation, time, signals. */
    static final List<Syscall> JVM_CALLS = List.of(
            new Syscall("mmap", 9), new Syscall("mprotect", 10), new Syscall("munmap", 11),
            new Syscall("brk", 12), new Syscall("rt_sigaction", 13), new Syscall("rt_sigprocmask", 14),
            new Syscall("rt_sigreturn", 15), new Syscall("sched_yield", 24), new Syscall("mremap", 25),
            new Syscall("madvise", 28), new Syscall("nanosleep", 35), new Syscall("getpid", 39),
            new Syscall("exit", 60), new Syscall("getrusage", 98), new Syscall("sysinfo", 99),
            new Syscall("getuid", 102), new Syscall("getgid", 104), new Syscall("geteuid", 107),
            new Syscall("getegid", 108), new Syscall("sigaltstack", 131), new Syscall("prctl", 157),
            new Syscall("gettid", 186), new Syscall("futex", 202), new Syscall("sched_getaffinity", 204),
            new Syscall("restart_syscall", 219), new Syscall("clock_gettime", 228),
            new Syscall("clock_getres", 229), new Syscall("clock_nanosleep", 230),
            new Syscall("exit_group", 231), new Syscall("set_robust_list", 273),
            new Syscall("getrandom", 318), new Syscall("membarrier", 324), new Syscall("rseq", 334));

    /** Calls no Gofer makes: seeing one means the process is no longer ours. */
    static final List<Syscall> KILLED = List.of(
            new Syscall("fork", 57), new Syscall("vfork", 58), new Syscall("execve", 59),
            new Syscall("ptrace", 101), new Syscall("pivot_root", 155), new Syscall("chroot", 161),
            new Syscall("acct", 163), new Syscall("settimeofday", 164), new Syscall("mount", 165),
            new Syscall("umount2", 166), new Syscall("swapon", 167), new Syscall("swapoff", 168),
            new Syscall("reboot", 169), new Syscall("sethostname", 170), new Syscall("setdomainname", 171),
            new Syscall("iopl", 172), new Syscall("ioperm", 173), new Syscall("init_module", 175),
            new Syscall("delete_module", 176), new Syscall("kexec_load", 246), new Syscall("add_key", 248),
            new Syscall("request_key", 249), new Syscall("keyctl", 250), new Syscall("unshare", 272),
            new Syscall("perf_event_open", 298), new Syscall("name_to_handle_at", 303),
            new Syscall("open_by_handle_at", 304), new Syscall("setns", 308),
            new Syscall("process_vm_readv", 310), new Syscall("process_vm_writev", 311),
            new Syscall("finit_module", 313), new Syscall("kexec_file_load", 320), new Syscall("bpf", 321),
            new Syscall("execveat", 322), new Syscall("userfaultfd", 323), new Syscall("open_tree", 428),
            new Syscall("move_mount", 429), new Syscall("fsopen", 430), new Syscall("fsconfig", 431),
            new Syscall("fsmount", 432), new Syscall("pidfd_open", 434), new Syscall("pidfd_getfd", 438),
            new Syscall("mount_setattr", 442));

    /** clone3 passes its flags in memory a filter cannot read: ENOSYS makes glibc use clone. */
    static final Syscall CLONE3 = new Syscall("clone3", 435);
    /** clone is allowed for threads only (CLONE_THREAD set). */
    static final Syscall CLONE = new Syscall("clone", 56);

    private SeccompPolicy() {}

    static SeccompFilter.Rules rules() {
        SortedSet<Integer> allowed = new TreeSet<>();
        FILE_CALLS.forEach(s -> allowed.add(s.number()));
        JVM_CALLS.forEach(s -> allowed.add(s.number()));
        SortedSet<Integer> killed = new TreeSet<>();
        KILLED.forEach(s -> killed.add(s.number()));
        SortedMap<Integer, Integer> errnos = new TreeMap<>(Map.of(CLONE3.number(), Errno.ENOSYS.number()));
        SortedMap<Integer, Integer> ifArg0 = new TreeMap<>(Map.of(CLONE.number(), CLONE_THREAD));
        return new SeccompFilter.Rules(allowed, killed, errnos, ifArg0, Errno.EPERM.number());
    }

    static List<dev.jvisor.seccomp.SeccompAssembler.Instruction> program() {
        return SeccompFilter.program(rules());
    }
}
